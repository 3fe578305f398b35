using System.Runtime.InteropServices;

namespace CrossMedia.Index.Ann;

/// <summary>
/// Our own bindings to USearch's C API (libusearch_c, shipped in the Cloud.Unum.USearch package): its C# wrapper
/// lacks changing expansion_search, thread slots, serialising to a buffer, viewing one and memory usage. Every call reports failure
/// through a C string (<c>usearch_error_t</c>); <see cref="Check"/> turns it into an exception.
/// </summary>
internal static unsafe partial class USearchNative
{
    private const string Lib = "usearch_c";

    public enum MetricKind { Unknown = 0, Cos = 1, Ip = 2, L2sq = 3 }
    public enum ScalarKind { Unknown = 0, F32 = 1, F16 = 3, BF16 = 6 }

    [StructLayout(LayoutKind.Sequential)]
    public struct InitOptions
    {
        public MetricKind MetricKind;
        public IntPtr Metric;
        public ScalarKind Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        [MarshalAs(UnmanagedType.U1)] public bool Multi;
    }

    [LibraryImport(Lib)] public static partial IntPtr usearch_version();
    [LibraryImport(Lib)] public static partial IntPtr usearch_init(InitOptions* options, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_free(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_memory_usage(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial IntPtr usearch_hardware_acceleration(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_serialized_length(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_save_buffer(IntPtr index, void* buffer, nuint length, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_load_buffer(IntPtr index, void* buffer, nuint length, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_view_buffer(IntPtr index, void* buffer, nuint length, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_size(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_capacity(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_dimensions(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_connectivity(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_expansion_add(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_expansion_search(IntPtr index, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_reserve(IntPtr index, nuint capacity, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_change_expansion_search(IntPtr index, nuint expansion, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_change_threads_add(IntPtr index, nuint threads, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_change_threads_search(IntPtr index, nuint threads, IntPtr* error);
    [LibraryImport(Lib)] public static partial void usearch_add(IntPtr index, ulong key, float* vector, ScalarKind kind, IntPtr* error);
    [LibraryImport(Lib)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool usearch_contains(IntPtr index, ulong key, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_remove(IntPtr index, ulong key, IntPtr* error);
    [LibraryImport(Lib)] public static partial nuint usearch_search(IntPtr index, float* query, ScalarKind kind, nuint count,
        ulong* keys, float* distances, IntPtr* error);
    /// <summary>Throws when a call left an error message.</summary>
    public static void Check(IntPtr error, string what)
    {
        if (error != IntPtr.Zero) throw new InvalidOperationException($"USearch {what}: {Marshal.PtrToStringUTF8(error)}");
    }

    public static string Version => Marshal.PtrToStringUTF8(usearch_version()) ?? "";
}
