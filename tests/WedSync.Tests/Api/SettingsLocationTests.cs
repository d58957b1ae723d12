using System.Diagnostics;

namespace WedSync.Tests.Api;

/// <summary>The API reads the appsettings.json beside its executable, not the working directory's.</summary>
public sealed class SettingsLocationTests
{
    [Fact]
    public async Task Api_started_from_another_folder_finds_its_own_settings()
    {
        // The API's own build output (the test folder holds several projects' appsettings.json).
        var project = Path.GetDirectoryName(new Projects.Api().ProjectPath)!;
        var dll = Path.Combine(project, "bin", "Debug", "net10.0", "WedSync.Api.dll");
        Assert.True(File.Exists(dll), dll);
        var elsewhere = Directory.CreateTempSubdirectory("wedsync-cwd-");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = elsewhere.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList = { dll },
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Auth__SigningKey"] = "settings-location-test-key-0123456789abcdef",
                ["ConnectionStrings__wedsync"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none",
                ["Monitoring__SamplerEnabled"] = "false",
            },
        };
        using var process = Process.Start(startInfo)!;
        var output = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource();
        process.OutputDataReceived += (_, line) => Seen(line.Data);
        process.ErrorDataReceived += (_, line) => Seen(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var ended = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(ended == listening.Task, "the API did not start from " + elsewhere.FullName + ":\n" + output);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            elsewhere.Delete(recursive: true);
        }

        void Seen(string? line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }

            if (line?.Contains("Now listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        }
    }
}
