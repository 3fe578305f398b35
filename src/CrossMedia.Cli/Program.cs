using CrossMedia.Cli;

return CliRunner.Run(CliRunner.CreateRoot(), args);
