using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Emotion.Core.Tests.Repository;

/// <summary>One naming style for test methods across the test projects: PascalCase words, no underscores.</summary>
public sealed partial class TestNamingTests
{
    [Fact]
    public void TestMethodsArePascalCaseWithoutUnderscores()
    {
        string tests = Path.GetFullPath(Path.Combine(SourceFolder(), "..", ".."));
        var offenders = new List<string>();
        int seen = 0;
        foreach (string file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(tests, file).Replace('\\', '/');
            if (relative.Contains("/bin/") || relative.Contains("/obj/")) continue;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                var declaration = Method().Match(lines[i]);
                if (!declaration.Success || !IsTest(lines, i)) continue;
                seen++;
                string name = declaration.Groups["name"].Value;
                if (name.Contains('_') || !char.IsUpper(name[0])) offenders.Add($"{relative}:{i + 1}: {name}");
            }
        }
        Assert.True(seen > 400, $"only {seen} test methods found under {tests}");
        Assert.True(offenders.Count == 0, "test methods not in PascalCase:\n" + string.Join("\n", offenders));
    }

    // The lines above a method, back to the end of the previous member, hold [Fact], [Theory] or a subclass of them.
    private static bool IsTest(string[] lines, int method)
    {
        for (int i = method - 1; i >= 0; i--)
        {
            string line = lines[i].Trim();
            if (line.EndsWith('}') || line.EndsWith(';') || line.EndsWith('{')) return false;
            if (TestAttribute().IsMatch(line)) return true;
        }
        return false;
    }

    private static string SourceFolder([CallerFilePath] string source = "") => Path.GetDirectoryName(source)!;

    [GeneratedRegex(@"^\s*public\s+(?:async\s+)?(?:void|Task)\s+(?<name>\w+)\s*\(")]
    private static partial Regex Method();

    [GeneratedRegex(@"^\[\w*(?:Fact|Theory)\b")]
    private static partial Regex TestAttribute();
}
