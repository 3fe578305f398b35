// dotnet run --project examples/Quickstart [-- WORK_DIR]
var work = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "crossmedia-quickstart");
CrossMedia.Examples.Quickstart.Run(work, Console.Out);
