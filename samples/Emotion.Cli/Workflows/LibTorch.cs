using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;

namespace Emotion.Cli.Workflows;

/// <summary>
/// Makes libtorch, TorchSharp's native backend, available to the commands that run TorchSharp (demo, train, evaluate,
/// explain, export, predict or benchmark with a checkpoint or a pretrained name). The emotion tool does not ship libtorch:
/// the libtorch-cpu packages of the three platforms come to about 265 MB compressed, over nuget.org's 250 MB limit for one
/// package, and ONNX commands never need it. Where libtorch is not next to the program (a build that references
/// TorchSharp-cpu), it is taken from, in order:
/// <list type="number">
/// <item><description>the folder named by <c>EMOTION_LIBTORCH</c> (libtorch 2.10.0's native libraries, for example
/// <c>~/.nuget/packages/libtorch-cpu-linux-x64/2.10.0/runtimes/linux-x64/native</c>);</description></item>
/// <item><description>the NuGet global packages folder (<c>NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>), where any
/// project that references TorchSharp-cpu 0.107 has put <c>libtorch-cpu-&lt;rid&gt;</c> 2.10.0;</description></item>
/// <item><description>a download of that package, once, by <c>dotnet restore</c> of a generated project with a
/// <c>PackageDownload</c> item (the user's NuGet sources; about 130 MB to fetch, 300 to 600 MB unpacked), unless
/// <c>EMOTION_LIBTORCH_DOWNLOAD=0</c>.</description></item>
/// </list>
/// libtorch's libraries are then loaded by full path before TorchSharp loads its own <c>LibTorchSharp</c> (shipped in the
/// TorchSharp package), whose dependencies the loader then finds among the libraries already loaded. When none of this
/// works the command fails with one line that says what is missing and how to get it.
/// </summary>
public static class LibTorch
{
    /// <summary>The libtorch version of TorchSharp 0.107 (<c>torch.__version__</c>).</summary>
    public const string Version = "2.10.0";

    /// <summary>The environment variable naming a folder that holds libtorch's native libraries.</summary>
    public const string FolderVariable = "EMOTION_LIBTORCH";

    /// <summary>The environment variable that, set to 0 (or false), stops the automatic download.</summary>
    public const string DownloadVariable = "EMOTION_LIBTORCH_DOWNLOAD";

    private static readonly Lock Gate = new();
    private static string? loadedFrom;

    /// <summary>Where libtorch was loaded from (<c>bundled</c> when next to the program), or null before <see cref="Require"/> succeeded.</summary>
    public static string? LoadedFrom => loadedFrom;

    /// <summary>The runtime identifier of libtorch's CPU package for this machine, or null where libtorch-cpu has none.</summary>
    public static string? Rid =>
        RuntimeInformation.ProcessArchitecture == Architecture.X64 && OperatingSystem.IsLinux() ? "linux-x64"
        : RuntimeInformation.ProcessArchitecture == Architecture.X64 && OperatingSystem.IsWindows() ? "win-x64"
        : RuntimeInformation.ProcessArchitecture == Architecture.Arm64 && OperatingSystem.IsMacOS() ? "osx-arm64"
        : null;

    /// <summary>The NuGet package with libtorch's CPU libraries for this machine (for example <c>libtorch-cpu-linux-x64</c>).</summary>
    public static string PackageId => $"libtorch-cpu-{Rid ?? RuntimeInformation.RuntimeIdentifier}";

    /// <summary>
    /// Makes libtorch loadable for <paramref name="command"/>, downloading it once if needed (see the class remarks);
    /// later calls return at once.
    /// </summary>
    /// <param name="command">The command that needs it, named in messages (for example <c>train</c>).</param>
    /// <param name="status">Where to say that libtorch is being downloaded (standard error).</param>
    /// <exception cref="CommandFailedException">libtorch is missing and cannot be fetched, or does not load; the message says what to do.</exception>
    public static void Require(string command, TextWriter status)
    {
        ArgumentNullException.ThrowIfNull(status);
        lock (Gate)
        {
            if (loadedFrom is not null) return;
            loadedFrom = Load(command, status);
        }
    }

    private static string Load(string command, TextWriter status)
    {
        if (NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out _))
            return Initialise(command, "bundled");

        string needs = $"'{command}' runs TorchSharp and needs libtorch {Version} (NuGet package {PackageId}), which the emotion tool does not ship";
        if (Rid is null)
            throw new CommandFailedException(
                $"{needs}; libtorch-cpu has no build for {RuntimeInformation.RuntimeIdentifier} (only linux-x64, win-x64 and osx-arm64). " +
                "Commands on .onnx models work everywhere; set " + FolderVariable + " to a folder of libtorch " + Version + " libraries built for this machine to run this one.");

        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } given)
        {
            string folder = Path.GetFullPath(given);
            if (!File.Exists(Path.Combine(folder, MainLibrary)))
                throw new CommandFailedException($"{FolderVariable} is '{folder}', which holds no {MainLibrary}; point it at the folder of libtorch {Version}'s native libraries (for example {CacheFolder(DefaultPackagesFolder)}).");
            return Preload(command, folder);
        }

        string cached = CacheFolder(DefaultPackagesFolder);
        if (File.Exists(Path.Combine(cached, MainLibrary))) return Preload(command, cached);

        string? download = Environment.GetEnvironmentVariable(DownloadVariable);
        if (download is "0" || string.Equals(download, "false", StringComparison.OrdinalIgnoreCase))
            throw new CommandFailedException(
                $"{needs}, and it is not in the NuGet cache ({cached}); {DownloadVariable}={download} turns off its download. " +
                $"Unset {DownloadVariable} to let the tool fetch it once (about 130 MB), or set {FolderVariable} to a folder holding libtorch {Version}'s native libraries.");

        status.WriteLine($"{command}: libtorch {Version} is not installed (the emotion tool does not ship it); downloading {PackageId} once " +
                         "into the NuGet cache with 'dotnet restore' (about 130 MB) ...");
        var watch = Stopwatch.StartNew();
        string packages = Download(needs);
        string folderAfter = CacheFolder(packages);
        if (!File.Exists(Path.Combine(folderAfter, MainLibrary)))
            throw new CommandFailedException($"{needs}; 'dotnet restore' reported success but {Path.Combine(folderAfter, MainLibrary)} is missing. Set {FolderVariable} to libtorch's folder.");
        status.WriteLine($"{command}: libtorch {Version} downloaded to {folderAfter} in {watch.Elapsed.TotalSeconds:0} s");
        return Preload(command, folderAfter);
    }

    // The library that pulls in the rest through its own search path ($ORIGIN, @loader_path, or the DLL's folder).
    private static string MainLibrary =>
        OperatingSystem.IsWindows() ? "torch.dll" : OperatingSystem.IsMacOS() ? "libtorch.dylib" : "libtorch.so";

    private static string DefaultPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string CacheFolder(string packagesFolder) =>
        Path.Combine(packagesFolder, PackageId, Version, "runtimes", Rid!, "native");

    private static string Preload(string command, string folder)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // LoadLibraryEx with the DLL's own folder searched for its dependencies (c10, fbgemm, libiomp5md, ...).
                foreach (string name in new[] { "c10.dll", "torch_cpu.dll", MainLibrary })
                    if (File.Exists(Path.Combine(folder, name))) NativeLibrary.Load(Path.Combine(folder, name));
            }
            else NativeLibrary.Load(Path.Combine(folder, MainLibrary));
            NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new CommandFailedException(
                $"'{command}': libtorch in '{folder}' does not load ({FirstLine(e.Message)}); it must be libtorch {Version} for {Rid}. " +
                $"Delete that folder to download it again, or set {FolderVariable} to another one.");
        }
        return Initialise(command, folder);
    }

    private static string Initialise(string command, string from)
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new CommandFailedException($"'{command}': TorchSharp could not start libtorch from {from}: {FirstLine(e.Message)}");
        }
        return from;
    }

    /// <summary>Restores a generated project whose only item is a <c>PackageDownload</c> of libtorch; returns the packages folder it used.</summary>
    private static string Download(string needs)
    {
        string dir = Path.Combine(Path.GetTempPath(), "emotion-libtorch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string project = Path.Combine(dir, "libtorch-download.csproj");
            File.WriteAllText(project, $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                    <NuGetAudit>false</NuGetAudit>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageDownload Include="{PackageId}" Version="[{Version}]" />
                  </ItemGroup>
                </Project>
                """);
            var start = new ProcessStartInfo(DotnetHost(), ["restore", project, "-nologo", "-v:q"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = dir,
            };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("no process");
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                throw new CommandFailedException($"{needs}, and the .NET SDK ('dotnet restore') that downloads it could not be started: {e.Message}. " +
                                                 $"Set {FolderVariable} to a folder holding libtorch {Version}'s native libraries.");
            }
            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    string output = stdout.Result + "\n" + stderr.Result;
                    string reason = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))
                                    ?? $"exit code {process.ExitCode}";
                    throw new CommandFailedException($"{needs}, and downloading it with 'dotnet restore' failed: {reason}. Check your NuGet sources " +
                                                     $"('dotnet nuget list source'), or set {FolderVariable} to a folder holding libtorch {Version}'s native libraries.");
                }
            }
            return PackagesFolder(Path.Combine(dir, "obj", "project.assets.json")) ?? DefaultPackagesFolder;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
    }

    // The global packages folder the restore used (a NuGet.Config may move it), from the assets file's packageFolders.
    private static string? PackagesFolder(string assetsFile)
    {
        if (!File.Exists(assetsFile)) return null;
        using var json = JsonDocument.Parse(File.ReadAllBytes(assetsFile));
        return json.RootElement.TryGetProperty("packageFolders", out var folders)
            ? folders.EnumerateObject().Select(p => p.Name).FirstOrDefault()
            : null;
    }

    // The dotnet host of the running runtime (<root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet), else dotnet on PATH.
    private static string DotnetHost()
    {
        string exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        string root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        string candidate = Path.Combine(root, exe);
        return File.Exists(candidate) ? candidate : exe;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
