using System.CommandLine;
using System.Numerics;

namespace Micar.Cli;

/// <summary>Range checks attached to options: a value out of range is a parse error (exit code 2, before any work)
/// naming the option and the value.</summary>
static class OptionChecks
{
    /// <summary>The value, when given, must be at least <paramref name="min"/>.</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T min) where T : struct, INumber<T> =>
        option.Check(v => v >= min, $"must be at least {min}");

    /// <summary>Same for an optional value.</summary>
    public static Option<T?> AtLeast<T>(this Option<T?> option, T min) where T : struct, INumber<T> =>
        option.Check(v => v is not { } x || x >= min, $"must be at least {min}");

    /// <summary>The value must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<T> Between<T>(this Option<T> option, T min, T max) where T : struct, INumber<T> =>
        option.Check(x => x >= min && x <= max, $"must be between {min} and {max}");

    /// <summary>The value, when given, must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<T?> Between<T>(this Option<T?> option, T min, T max) where T : struct, INumber<T> =>
        option.Check(v => v is not { } x || (x >= min && x <= max), $"must be between {min} and {max}");

    /// <summary>The value, when given, must be a finite number above 0.</summary>
    public static Option<double?> FinitePositive(this Option<double?> option) =>
        option.Check(v => v is not { } x || (double.IsFinite(x) && x > 0), "must be a finite number above 0");

    /// <summary>The value must be a finite number (not NaN or ±infinity).</summary>
    public static Option<double> Finite(this Option<double> option) => option.Check(double.IsFinite, "must be a finite number");

    static Option<T> Check<T>(this Option<T> option, Func<T, bool> ok, string rule)
    {
        option.Validators.Add(result =>
        {
            if (result.Implicit) return;
            var value = result.GetValueOrDefault<T>();
            if (!ok(value)) result.AddError($"{option.Name} {rule}, got {Text(value)}");
        });
        return option;
    }

    static string Text<T>(T value) => value switch
    {
        null => "nothing",
        double d => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
