using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Emotion.Core.Tests.Repository;

/// <summary>
/// docs/architecture.md's package graph (a mermaid diagram) against the project files of src/: every project reference is a
/// solid arrow and every third-party package a dotted one, and nothing more; and no library references a native runtime
/// package (the application picks ONNX Runtime's and TorchSharp's).
/// </summary>
public sealed partial class ArchitectureDiagramTests
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public void DiagramEdgesAreTheProjectReferences()
    {
        var (names, projectEdges, packageEdges) = ReadDiagram();
        var projects = SourceProjects();
        Assert.Equal(projects.Keys.Order(), names.Values.Where(n => projects.ContainsKey(n)).Order());

        var expectedProjects = projects.SelectMany(p => p.Value.Projects.Select(r => $"{p.Key} --> {r}")).Order().ToList();
        var drawnProjects = projectEdges.Select(e => $"{names[e.From]} --> {names[e.To]}").Order().ToList();
        Assert.Equal(expectedProjects, drawnProjects);

        var expectedPackages = projects.SelectMany(p => p.Value.Packages.Select(r => $"{p.Key} -.-> {r}")).Order().ToList();
        var drawnPackages = packageEdges.Select(e => $"{names[e.From]} -.-> {names[e.To]}").Order().ToList();
        Assert.Equal(expectedPackages, drawnPackages);
    }

    [Fact]
    public void NoLibraryReferencesANativeRuntimePackage()
    {
        var native = new Regex(@"^(Microsoft\.ML\.OnnxRuntime(\.Gpu(\..*)?)?|TorchSharp-(cpu|cuda.*)|libtorch.*)$", RegexOptions.IgnoreCase);
        var offenders = SourceProjects().SelectMany(p => p.Value.Packages.Where(n => native.IsMatch(n)).Select(n => $"{p.Key}: {n}")).ToList();
        Assert.Empty(offenders);
        // The two libraries that need native code take the managed API only.
        Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", SourceProjects()["Emotion.Onnx.Runtime"].Packages);
        Assert.Contains("TorchSharp", SourceProjects()["Emotion.Torch"].Packages);
    }

    private static (Dictionary<string, string> Names, List<(string From, string To)> Projects, List<(string From, string To)> Packages) ReadDiagram()
    {
        string text = File.ReadAllText(Path.Combine(Root, "docs", "architecture.md"));
        var block = MermaidBlock().Match(text);
        Assert.True(block.Success, "docs/architecture.md has no ```mermaid block");
        var names = new Dictionary<string, string>();
        var projects = new List<(string, string)>();
        var packages = new List<(string, string)>();
        foreach (string raw in block.Groups[1].Value.Split('\n'))
        {
            string line = raw.Trim();
            if (Node().Match(line) is { Success: true } node)
                names.Add(node.Groups["id"].Value, node.Groups["name"].Value);
            else if (Edge().Match(line) is { Success: true } edge)
                (edge.Groups["arrow"].Value == "-->" ? projects : packages).Add((edge.Groups["from"].Value, edge.Groups["to"].Value));
        }
        foreach (var (from, to) in projects.Concat(packages))
        {
            Assert.True(names.ContainsKey(from), $"edge from an undeclared node '{from}'");
            Assert.True(names.ContainsKey(to), $"edge to an undeclared node '{to}'");
        }
        return (names, projects, packages);
    }

    /// <summary>Each src project's project references (by project name) and third-party packages (those that flow to users).</summary>
    private static Dictionary<string, (List<string> Projects, List<string> Packages)> SourceProjects()
    {
        var result = new Dictionary<string, (List<string>, List<string>)>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var xml = XDocument.Load(file);
            var projects = xml.Descendants("ProjectReference")
                .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/'))).ToList();
            var packages = xml.Descendants("PackageReference")
                .Where(e => !string.Equals(e.Attribute("PrivateAssets")?.Value, "all", StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Attribute("Include")!.Value).ToList();
            result.Add(Path.GetFileNameWithoutExtension(file), (projects, packages));
        }
        return result;
    }

    private static string RepositoryRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));

    [GeneratedRegex(@"```mermaid\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex MermaidBlock();

    // Id["Emotion.Name<br/>what it holds"] or Id(["Package.Name"])
    [GeneratedRegex(@"^(?<id>\w+)\(?\[""(?<name>[^""<]+)(<br/>[^""]*)?""\]\)?$")]
    private static partial Regex Node();

    [GeneratedRegex(@"^(?<from>\w+)\s+(?<arrow>-->|-\.->)\s+(?<to>\w+)$")]
    private static partial Regex Edge();
}
