namespace Micar.Data;

/// <summary>
/// The datasets <see cref="Prepare"/> knows, found by canonical name or alias (case-insensitive, surrounding
/// white space ignored); any other name is an error that lists the known ones.
/// </summary>
public sealed class DatasetRegistry
{
    private readonly Dictionary<string, IDatasetRecipe> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A registry of <paramref name="recipes"/>, listed in the given order.</summary>
    /// <exception cref="ArgumentException">A name or alias is empty or used twice; the message names it and both recipes.</exception>
    public DatasetRegistry(IEnumerable<IDatasetRecipe> recipes)
    {
        ArgumentNullException.ThrowIfNull(recipes);
        All = recipes.ToList();
        foreach (var recipe in All)
        {
            ArgumentNullException.ThrowIfNull(recipe, nameof(recipes));
            foreach (var name in recipe.Aliases.Prepend(recipe.Name))
            {
                if (string.IsNullOrWhiteSpace(name) || name.Trim() != name)
                    throw new ArgumentException($"dataset recipe {recipe.GetType().Name}: name or alias '{name}' is empty or has surrounding white space", nameof(recipes));
                if (!_byName.TryAdd(name, recipe))
                    throw new ArgumentException($"dataset name '{name}' is used by both '{_byName[name].Name}' and '{recipe.Name}'", nameof(recipes));
            }
        }
        Names = All.Select(r => r.Name).ToList();
    }

    /// <summary>The built-in datasets, one recipe each under <c>Data/Datasets/Recipes/</c>.</summary>
    public static DatasetRegistry Default { get; } =
        new([new CovctrRecipe(), new PgrossRecipe(), new MmRetinalRecipe(), new RocoRecipe(), new IuXrayRecipe()]);

    /// <summary>The recipes, in listing order.</summary>
    public IReadOnlyList<IDatasetRecipe> All { get; }

    /// <summary>The canonical names, in listing order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The names for a help text: <c>covctr (cov-ctr), pgross (peir-gross, peirgross), …</c>, each
    /// canonical name followed by its aliases.</summary>
    public string HelpText => string.Join(", ", All.Select(r => r.Aliases.Count == 0 ? r.Name : $"{r.Name} ({string.Join(", ", r.Aliases)})"));

    /// <summary>The recipe named <paramref name="name"/> (canonical name or alias, case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public IDatasetRecipe Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name.Trim(), out var recipe)
            ? recipe
            : throw new ArgumentException($"unknown dataset '{name}' (known: {string.Join(", ", Names)})", "dataset");
    }

    /// <summary>This registry plus <paramref name="recipe"/> (listed last).</summary>
    /// <exception cref="ArgumentException">One of its names is already taken.</exception>
    public DatasetRegistry With(IDatasetRecipe recipe) => new(All.Append(recipe));
}
