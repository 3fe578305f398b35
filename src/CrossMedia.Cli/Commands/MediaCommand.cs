using System.CommandLine;
using CrossMedia.Media;

namespace CrossMedia.Cli.Commands;

/// <summary>`crossmedia media ...`: look at media the way the networks see them.</summary>
internal static class MediaCommand
{
    public static Command Create()
    {
        var command = new Command("media", "Inspect how raw media files are decoded for the networks.");
        command.Subcommands.Add(Spectrogram());
        command.Subcommands.Add(MediaDatasetCommands.TuxPaint());
        command.Subcommands.Add(MediaDatasetCommands.Synthetic());
        command.Subcommands.Add(MediaDecodeCommand.Create());
        return command;
    }

    /// <summary>`media spectrogram --file IN --out OUT.png [--size N]`: the picture the audio path feeds the network.</summary>
    private static Command Spectrogram()
    {
        var input = new Option<FileInfo>("--file") { Description = "Audio file in any format ffmpeg decodes (WAV, OGG, MP3, FLAC, ...).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "PNG file to write.", Required = true };
        var size = new Option<int>("--size")
        {
            Description = "Width and height of the picture in pixels (the FGCrossNet reference draws 700).",
            DefaultValueFactory = _ => 700,
        };
        size.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 16 or > 8192) r.AddError("--size must be between 16 and 8192");
        });
        var sampleRate = new Option<int>("--sample-rate")
        {
            Description = "Sample rate the audio is resampled to before the STFT, Hz.",
            DefaultValueFactory = _ => 22050,
        };
        var command = new Command("spectrogram",
            "Render an audio file as the magma spectrogram picture the audio path feeds the network " +
            "(mono, STFT n_fft 2048, hop 512, dB relative to the maximum floored at -80 dB, low frequencies at the bottom).")
        {
            input, output, size, sampleRate,
        };
        command.SetAction(parse =>
        {
            var inFile = parse.GetValue(input)!;
            var outFile = parse.GetValue(output)!;
            var options = new SpectrogramOptions { Width = parse.GetValue(size), Height = parse.GetValue(size), SampleRate = parse.GetValue(sampleRate) };
            options.Validate();
            if (!inFile.Exists) throw new InputException(inFile.FullName, "", "an audio file", "no such file");
            var samples = AudioDecoder.Decode(inFile.FullName, options.SampleRate);
            var picture = Media.Spectrogram.Picture(samples, options);
            picture.SavePng(outFile.FullName);
            var seconds = samples.Length / (double)options.SampleRate;
            parse.InvocationConfiguration.Output.WriteLine(
                $"{outFile.FullName}: {options.Width}x{options.Height} spectrogram of {seconds:0.00} s ({Stft.FrameCount(samples.Length, options.HopLength)} frames x {options.FftSize / 2 + 1} bins)");
            return 0;
        });
        return command;
    }
}
