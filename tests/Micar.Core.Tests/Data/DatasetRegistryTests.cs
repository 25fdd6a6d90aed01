using Micar.Data;
using Micar.Tests.Data.Recipes;
using Micar.Training;
using Xunit;

namespace Micar.Tests.Data;

public sealed class DatasetRegistryTests
{
    [Theory]
    [InlineData("covctr", "covctr")]
    [InlineData("COVCTR", "covctr")]
    [InlineData("cov-ctr", "covctr")]
    [InlineData("PEIRGross", "pgross")]
    [InlineData("peir-gross", "pgross")]
    [InlineData(" MMR ", "mmretinal")]
    [InlineData("mm-retinal", "mmretinal")]
    [InlineData("Roco", "roco")]
    [InlineData("IU_XRAY", "iuxray")]
    [InlineData("iu-xray", "iuxray")]
    public void Find_takes_canonical_names_and_aliases_in_any_case(string given, string canonical)
    {
        Assert.Equal(canonical, DatasetRegistry.Default.Find(given).Name);
        Assert.Equal(canonical, Prepare.Canonical(given));
    }

    [Fact]
    public void An_unknown_name_is_an_error_that_lists_the_known_ones()
    {
        Assert.Equal(["covctr", "pgross", "mmretinal", "roco", "iuxray"], DatasetRegistry.Default.Names);
        Assert.Equal(DatasetRegistry.Default.Names, Prepare.Datasets);
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Default.Find("mimic"));
        Assert.StartsWith("unknown dataset 'mimic' (known: covctr, pgross, mmretinal, roco, iuxray)", e.Message);
        Assert.Equal("dataset", e.ParamName);
        Assert.Throws<ArgumentException>(() => DatasetRegistry.Default.Find("tiny"));
    }

    [Fact]
    public void Each_recipe_uses_its_official_cleaner_and_split()
    {
        const string raw = "GI: Lung; (left) 3.5 cm Fig. 2 nodule\tseen";
        var expected = new Dictionary<string, (Func<string, string> Clean, SplitPlan? Plan)>
        {
            ["covctr"] = (CovctrCleaner.Clean, SplitPlan.Covctr),
            ["pgross"] = (PgrossCleaner.Clean, SplitPlan.Pgross),
            ["mmretinal"] = (MmRetinalCleaner.Clean, SplitPlan.MmRetinal),
            ["roco"] = (RocoCleaner.Clean, null),
            ["iuxray"] = (IuXrayCleaner.Clean, null),
        };
        // The sample tells the five cleaners apart, so a recipe wired to another dataset's cleaner fails here.
        Assert.Equal(5, expected.Values.Select(c => c.Clean(raw)).Distinct().Count());
        foreach (var recipe in DatasetRegistry.Default.All)
        {
            var (clean, plan) = expected[recipe.Name];
            Assert.Equal(clean(raw), recipe.Clean(raw));
            Assert.Same(plan, recipe.Split.Plan);
            Assert.False(string.IsNullOrWhiteSpace(recipe.Description));
        }
        Assert.Equal("train_test_split 0.3 / 1234, then 0.66 / 1234", DatasetRegistry.Default.Find("pgross").Split.Description);
        Assert.Equal("train_test_split 0.2 / 9876, then 0.5 / 9876, each modality on its own, concatenated CFP, FFA, OCT",
            DatasetRegistry.Default.Find("mmretinal").Split.Description);
        Assert.Contains("mmretinal (mmr, mm-retinal)", DatasetRegistry.Default.HelpText);
        Assert.Contains("roco, iuxray (iu_xray, iu-xray)", DatasetRegistry.Default.HelpText);
    }

    [Fact]
    public void A_registry_refuses_a_name_or_alias_used_twice()
    {
        var twice = Assert.Throws<ArgumentException>(() => DatasetRegistry.Default.With(new TinyRecipe()).With(new TinyRecipe()));
        Assert.StartsWith("dataset name 'tiny' is used by both 'tiny' and 'tiny'", twice.Message);
        var alias = Assert.Throws<ArgumentException>(() => new DatasetRegistry([new TinyRecipe(), new AliasClash()]));
        Assert.StartsWith("dataset name 'TINY-NOTES' is used by both 'tiny' and 'other'", alias.Message);
    }

    [Fact]
    public void A_test_only_recipe_is_prepared_by_the_same_loop()
    {
        using var tmp = new DataFixtures.TempDir();
        var lines = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            lines.Add($"n{i}.png\tNote {i}");
            if (i != 5) tmp.Image($"images/n{i}.png");
        }
        tmp.File("notes.tsv", string.Join("\n", lines));
        var recipe = DatasetRegistry.Default.With(new TinyRecipe()).Find("Tiny-Notes");
        string outDir = Path.Combine(tmp.Path, "out");

        var bad = Assert.Throws<PrepareException>(() => Prepare.Run(recipe, tmp.Path, outDir, PrepareOptions.Default));
        Assert.Equal("notes.tsv line 6", Assert.Single(bad.Issues).Origin);

        var result = Prepare.Run(recipe, tmp.Path, outDir, new PrepareOptions { SkipBad = true });
        Assert.Equal("tiny", result.Dataset);
        var plan = SplitPlan.Covctr.Apply(12);
        var folder = new DatasetFolder(outDir);
        foreach (var (split, rows) in new[] { ("train", plan.Train), ("val", plan.Val), ("test", plan.Test) })
        {
            var want = rows.Where(i => i != 5).Select(i => new ReportRecord($"../images/n{i}.png", $"note {i} .")).ToList();
            Assert.Equal(want, ReportCsv.Read(folder.SplitCsv(split)));
            var loaded = SplitData.Load(outDir, split);
            Assert.Equal(want.Select(r => Path.Combine(tmp.Path, "images", r.ImageId[10..])), loaded.ImagePaths);
        }
        Assert.Equal(11, result.Train + result.Val + result.Test);
        Assert.Equal("notes.tsv line 6", Assert.Single(result.Skipped).Origin);
    }

    [Fact]
    public void A_given_split_rule_needs_the_groups_train_val_test()
    {
        using var tmp = new DataFixtures.TempDir();
        tmp.File("notes.tsv", "a.png\tx\n");
        tmp.Image("images/a.png");
        var recipe = new TinyRecipe(SplitRule.Given("from the source"));
        var e = Assert.Throws<InvalidOperationException>(() => Prepare.Run(recipe, tmp.Path, Path.Combine(tmp.Path, "o"), PrepareOptions.Default));
        Assert.Equal("dataset 'tiny': its split rule takes the splits from the source, so its reader must return the groups " +
            "train, val, test in this order, but it returned [tiny]", e.Message);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "o")));
    }

    private sealed class AliasClash : IDatasetRecipe
    {
        public string Name => "other";
        public IReadOnlyList<string> Aliases { get; } = ["TINY-NOTES"];
        public string Description => "clashes with tiny's alias";
        public SplitRule Split { get; } = SplitRule.Given("none");
        public string Clean(string report) => report;
        public SourceRead Read(string root, PrepareOptions options) => throw new NotSupportedException();
    }
}
