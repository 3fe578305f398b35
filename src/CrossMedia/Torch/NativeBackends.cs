namespace CrossMedia.Torch;

/// <summary>
/// libtorch's own process-wide switches for its CPU convolution backends: oneDNN (mkldnn) and NNPACK.
/// With both off, convolutions run on libtorch's built-in im2col + matrix-product kernels (same results,
/// slower). TorchSharp does not wrap the switches (PyTorch's torch.backends.mkldnn.enabled and
/// torch.backends.nnpack), so they are called through libtorch_cpu.so's exported, non-virtual
/// at::Context members, which take the context as their first argument (System V / Itanium C++ ABI;
/// Linux only, as the rest of the native set-up). <see cref="ConvolutionProbe"/> decides when to switch.
/// </summary>
public static unsafe class NativeBackends
{
    /// <summary>Whether convolutions may use oneDNN (libtorch's default: on).</summary>
    public static bool Mkldnn
    {
        get => Read("_ZNK2at7Context17userEnabledMkldnnEv");
        set => Write("_ZN2at7Context20setUserEnabledMkldnnEb", value);
    }

    /// <summary>Whether convolutions may use NNPACK (libtorch's default: on; used only where NNPACK initialises).</summary>
    public static bool Nnpack
    {
        get => Read("_ZNK2at7Context17userEnabledNNPACKEv");
        set => Write("_ZN2at7Context20setUserEnabledNNPACKEb", value);
    }

    /// <summary>Whether <see cref="TurnOffNnpackWhereUnsupported"/> found NNPACK unable to initialise on this CPU.</summary>
    public static bool NnpackUnsupported { get; private set; }

    /// <summary>"oneDNN on, NNPACK on": the state in words, for `info` and messages.</summary>
    public static string Describe() =>
        $"oneDNN {(Mkldnn ? "on" : "off")}, NNPACK {(Nnpack ? "on" : NnpackUnsupported ? "off (not supported by this CPU)" : "off")}";

    /// <summary>
    /// Turns NNPACK off where it cannot initialise (e.g. a CPU or VM whose features NNPACK does not recognise). libtorch
    /// would not use it there anyway, but while the switch is on it asks NNPACK again for every convolution outside
    /// oneDNN's range and logs "Could not initialize NNPACK! Reason: Unsupported hardware." each time (hundreds of lines
    /// per run). The question is libtorch's own (at::_nnpack_available, the check its convolutions make), asked once
    /// with libtorch's log level raised to errors for that call only, so no other warning is hidden.
    /// </summary>
    /// <returns>True when NNPACK was turned off.</returns>
    public static bool TurnOffNnpackWhereUnsupported()
    {
        if (!Nnpack) return false;
        var level = (int*)TorchRuntime.C10Export("FLAGS_caffe2_log_level");
        int saved = *level;
        *level = ErrorLevel;
        bool available;
        try
        {
            available = ((delegate* unmanaged<byte>)TorchRuntime.TorchCpuExport("_ZN2at6native17_nnpack_availableEv"))() != 0;
        }
        finally
        {
            *level = saved;
        }
        if (available) return false;
        Nnpack = false;
        NnpackUnsupported = true;
        return true;
    }

    /// <summary>c10's severity of errors (glog's numbering: info 0, warning 1, error 2).</summary>
    private const int ErrorLevel = 2;

    private static IntPtr Context() =>
        ((delegate* unmanaged<IntPtr>)TorchRuntime.TorchCpuExport("_ZN2at13globalContextEv"))();

    // A C++ bool comes back in the low byte of the return register; only that byte is defined.
    private static bool Read(string getter) =>
        ((delegate* unmanaged<IntPtr, byte>)TorchRuntime.TorchCpuExport(getter))(Context()) != 0;

    private static void Write(string setter, bool value) =>
        ((delegate* unmanaged<IntPtr, byte, void>)TorchRuntime.TorchCpuExport(setter))(Context(), value ? (byte)1 : (byte)0);
}
