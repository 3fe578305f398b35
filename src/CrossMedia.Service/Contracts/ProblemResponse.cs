using System.Text.Json.Serialization;

namespace CrossMedia.Service.Contracts;

/// <summary>
/// The body of every 4xx and 5xx answer (application/problem+json, members of RFC 9457): routing (404, 405), request
/// parsing and binding, validation, limits and failures alike.
/// </summary>
/// <param name="Title">The kind of problem, the same for every occurrence (e.g. "Invalid request", "Not found").</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">One line: what was expected and what was found.</param>
/// <param name="Field">The request field at fault (e.g. "k", "vector[1]"); absent when the problem is not about one field.</param>
public sealed record ProblemResponse(string Title, int Status, string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null);
