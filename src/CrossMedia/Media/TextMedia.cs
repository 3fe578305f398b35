using System.Text;

namespace CrossMedia.Media;

/// <summary>Reads text items.</summary>
internal static class TextMedia
{
    /// <summary>
    /// The whole file as UTF-8 (BOM removed, line breaks normalised to '\n', outer whitespace
    /// trimmed). The FGCrossNet reference kept only the last line; every line is kept here.
    /// </summary>
    public static string ReadAll(string path, MediaLimits? limits = null)
    {
        limits ??= MediaLimits.Default;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: not found", path);
        CheckSize(path, new FileInfo(path).Length, limits);
        return Decode(File.ReadAllBytes(path), path, limits);
    }

    /// <summary>The text of a text file held in memory (named <paramref name="source"/> in errors), read as <see cref="Read"/> reads a file.</summary>
    public static string ReadBytes(byte[] bytes, string source, MediaLimits? limits = null) =>
        WithoutTranslations(Decode(bytes, source, limits ?? MediaLimits.Default), source);

    private static void CheckSize(string source, long length, MediaLimits limits)
    {
        if (length > limits.MaxTextBytes)
            throw new MediaLimitException(source, "size", $"a text of at most {limits.MaxTextBytes} bytes", $"{length} bytes");
    }

    private static string Decode(byte[] bytes, string path, MediaLimits limits)
    {
        CheckSize(path, bytes.Length, limits); // the file may have grown since its size was read
        if (bytes.Contains((byte)0)) throw new InputException(path, "", "a text file", "binary data (NUL bytes)");
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Not UTF-8: Latin-1 maps every byte to a character, so old 8-bit texts still read.
            text = Encoding.Latin1.GetString(bytes);
        }
        text = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Trim();
        if (text.Length == 0) throw new InputException(path, "", "some text", "an empty file");
        return text;
    }

    /// <summary>
    /// The text of an item as the decoder reads it: the whole file, except that TuxPaint's
    /// translation lines (`lang.utf8=...`) are dropped, which leaves a stamp's English description.
    /// </summary>
    public static string Read(string path, MediaLimits? limits = null) => WithoutTranslations(ReadAll(path, limits), path);

    private static string WithoutTranslations(string all, string path)
    {
        var lines = all.Split('\n').Where(l => !IsTranslationLine(l.Trim())).ToArray();
        var text = string.Join("\n", lines).Trim();
        if (text.Length == 0) throw new InputException(path, "", "text besides translations", "only `lang.utf8=` lines");
        return text;
    }

    /// <summary>
    /// The English description of a TuxPaint stamp: the first line of its .txt file; the
    /// following `lang.utf8=...` lines are translations and are left out.
    /// </summary>
    public static string ReadTuxPaintEnglish(string path)
    {
        var first = ReadAll(path).Split('\n')[0].Trim();
        if (first.Length == 0 || IsTranslationLine(first))
            throw new InputException(path, "line 1", "an English description", InputException.Excerpt(first));
        return first;
    }

    /// <summary>True for TuxPaint translation lines such as `fr.utf8=...`.</summary>
    internal static bool IsTranslationLine(string line)
    {
        int eq = line.IndexOf('=');
        return eq > 0 && line.AsSpan(0, eq).EndsWith(".utf8", StringComparison.Ordinal);
    }
}
