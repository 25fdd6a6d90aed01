using System.Text;
using Micar.Spec;
using Xunit;
using Xunit.Abstractions;

namespace Micar.Tests.Spec;

/// <summary>Spec files built to exhaust memory or the stack are refused early, naming the file.</summary>
public class HostileSpecTests(ITestOutputHelper output)
{
    /// <summary>The "billion laughs": ten levels, each a list of ten aliases of the level below (10^9 leaves) in about 1 KB.</summary>
    private static string BillionLaughs()
    {
        var sb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= 9; i++)
            sb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        return sb.ToString();
    }

    [Fact]
    public void Alias_bomb_fails_fast_naming_the_file_with_little_memory()
    {
        var yaml = BillionLaughs();
        Assert.True(yaml.Length < 1500, $"the bomb is {yaml.Length} characters");
        var path = Path.Combine(Path.GetTempPath(), $"micar-bomb-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.Load(path));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(path, e.File);
            Assert.Contains(path, e.Message);
            Assert.Contains($"more than {SpecLimits.MaxYamlValues} values", e.Message);
            output.WriteLine($"alias bomb of {yaml.Length} characters refused after {allocated} bytes allocated: {e.Message}");
            Assert.True(allocated < 64L << 20, $"{allocated} bytes allocated while refusing the bomb");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Aliases_of_long_keys_are_bounded_by_characters_as_well()
    {
        // Few values but very long keys: each alias copy repeats a 100,000-character key in its field path.
        var key = new string('k', 100_000);
        var yaml = $"base: &b {{{key}: 1}}\nlist: [{string.Join(", ", Enumerable.Repeat("*b", 2000))}]\n";
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml(yaml, "long.yaml"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("long.yaml", e.Message);
        Assert.Contains("characters", e.Message);
        output.WriteLine($"long-key aliases refused after {allocated} bytes allocated");
        Assert.True(allocated < 128L << 20, $"{allocated} bytes allocated while refusing");
    }

    [Fact]
    public void Deep_nesting_is_refused_before_it_can_overflow_the_stack()
    {
        var depth = 200_000;
        var yaml = "vision: " + new string('[', depth) + new string(']', depth) + "\n";
        var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml(yaml, "deep.yaml"));
        Assert.Contains("deep.yaml", e.Message);
        Assert.Contains($"nested more than {SpecLimits.MaxDepth} levels", e.Message);
        Assert.Contains("(line 1)", e.Message);
    }

    [Theory]
    [InlineData(".yaml")]
    [InlineData(".json")]
    public void Oversized_files_are_refused_before_reading(string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"micar-big-{Guid.NewGuid():N}{extension}");
        using (var f = File.Create(path)) f.SetLength(SpecLimits.MaxFileBytes + 1);
        try
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<SpecFormatException>(() => SpecSerializer.Load(path));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(path, e.File);
            Assert.Contains($"{SpecLimits.MaxFileBytes + 1} bytes", e.Message);
            Assert.True(allocated < 256 << 10, $"{allocated} bytes allocated while refusing");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Oversized_text_is_refused()
    {
        var text = "name: \"" + new string('x', SpecLimits.MaxFileBytes) + "\"\n";
        Assert.Contains("big.yaml", Assert.Throws<SpecFormatException>(() => SpecSerializer.FromYaml(text, "big.yaml")).Message);
        Assert.Contains("big.json", Assert.Throws<SpecFormatException>(() => SpecSerializer.FromJson(text, "big.json")).Message);
    }

    [Fact]
    public void Modest_aliases_still_work()
    {
        var spec = Presets.Get("paper-covctr");
        var yaml = SpecSerializer.ToYaml(spec);
        // dFf and dV are both 2048 in this preset: anchor the first, alias the second.
        var (first, second) = yaml.IndexOf("dFf: 2048", StringComparison.Ordinal) < yaml.IndexOf("dV: 2048", StringComparison.Ordinal)
            ? ("dFf", "dV") : ("dV", "dFf");
        var aliased = yaml.Replace($"{first}: 2048", $"{first}: &width 2048").Replace($"{second}: 2048", $"{second}: *width");
        Assert.Contains("*width", aliased);
        Assert.Equal(spec, SpecSerializer.FromYaml(aliased, "alias.yaml"));
    }
}
