using Sts.Chaos;

// Exit codes: 0 every promise held; 1 a promise failed (lost, stuck, duplicated, corrupt, audit chain);
// 2 bad arguments or the environment could not be set up; 3 the run exceeded its time budget.
ChaosOptions options;
try
{
    options = ChaosOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"chaos: {ex.Message}");
    Console.Error.WriteLine(ChaosOptions.Usage);
    return 2;
}
if (options.ShowHelp)
{
    Console.WriteLine(ChaosOptions.Usage);
    return 0;
}
await using var run = new ChaosRun(options);
return await run.ExecuteAsync();
