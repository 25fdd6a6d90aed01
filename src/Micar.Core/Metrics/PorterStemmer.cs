using System.Collections.Frozen;
using System.Text;

namespace Micar.Metrics;

/// <summary>
/// The Porter stemmer exactly as nltk's <c>PorterStemmer()</c> runs it in its default
/// <c>NLTK_EXTENSIONS</c> mode (<c>metrics.md</c> §3.3.1): irregular forms, short-word guard, steps
/// 1a, 1b, 1c, 2, 3, 4, 5a, 5b with nltk's deviations from the 1980 paper. The input is lower-cased
/// (Python semantics) first. Letters are Python code points, so characters outside the Basic
/// Multilingual Plane count as one letter each, as in Python.
/// </summary>
public static class PorterStemmer
{
    private static readonly FrozenDictionary<string, string> Irregular = new Dictionary<string, string>
    {
        ["skies"] = "sky", ["sky"] = "sky", ["dying"] = "die", ["lying"] = "lie", ["tying"] = "tie",
        ["news"] = "news", ["innings"] = "inning", ["inning"] = "inning", ["outings"] = "outing",
        ["outing"] = "outing", ["cannings"] = "canning", ["canning"] = "canning", ["howe"] = "howe",
        ["proceed"] = "proceed", ["exceed"] = "exceed", ["succeed"] = "succeed",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly record struct Rule(string Suffix, string Replacement, Func<string, bool>? Condition);

    private static readonly Rule[] Step1aRules =
    [
        new("sses", "ss", null), new("ies", "i", null), new("ss", "ss", null), new("s", "", null),
    ];

    private static readonly Rule[] Step3Rules =
    [
        new("icate", "ic", PositiveMeasure), new("ative", "", PositiveMeasure), new("alize", "al", PositiveMeasure),
        new("iciti", "ic", PositiveMeasure), new("ical", "ic", PositiveMeasure), new("ful", "", PositiveMeasure),
        new("ness", "", PositiveMeasure),
    ];

    private static readonly Rule[] Step4Rules = BuildStep4Rules();

    /// <summary>Stems one word.</summary>
    /// <param name="word">The word (any case); must not be null.</param>
    /// <returns>The nltk-mode Porter stem, lower-case.</returns>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        string lower = PythonString.Lower(word);
        if (Irregular.TryGetValue(word, out var irregular)) return irregular;
        if (CodePointCount(word) <= 2) return lower;
        return HasSurrogate(lower) ? StemSupplementary(lower) : StemLetters(lower);
    }

    private static string StemLetters(string word)
    {
        word = Step1a(word);
        word = Step1b(word);
        word = Step1c(word);
        word = Step2(word);
        word = ApplyRuleList(word, Step3Rules);
        word = ApplyRuleList(word, Step4Rules);
        word = Step5a(word);
        return Step5b(word);
    }

    /// <summary>
    /// Stems a word with characters outside the BMP: each distinct such character is replaced by a distinct
    /// private-use character absent from the word (one UTF-16 unit, so one letter, as in Python), the word is
    /// stemmed, and the replacement is undone. The rules only compare letters for equality and against ASCII,
    /// so the substitution does not change the outcome.
    /// </summary>
    private static string StemSupplementary(string word)
    {
        var forward = new Dictionary<int, char>();
        var backward = new Dictionary<char, string>();
        var sb = new StringBuilder(word.Length);
        char next = '\uE000';
        foreach (var rune in word.EnumerateRunes())
        {
            if (rune.IsBmp) { sb.Append((char)rune.Value); continue; }
            if (!forward.TryGetValue(rune.Value, out char stand))
            {
                while (word.Contains(next)) next++;
                stand = next++;
                forward[rune.Value] = stand;
                backward[stand] = rune.ToString();
            }
            sb.Append(stand);
        }
        var stemmed = StemLetters(sb.ToString());
        var result = new StringBuilder(stemmed.Length + 8);
        foreach (char c in stemmed)
        {
            if (backward.TryGetValue(c, out var original)) result.Append(original);
            else result.Append(c);
        }
        return result.ToString();
    }

    private static string Step1a(string word)
    {
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length == 4) return word[..^3] + "ie";
        return ApplyRuleList(word, Step1aRules);
    }

    private static string Step1b(string word)
    {
        if (word.EndsWith("ied", StringComparison.Ordinal))
            return word[..^3] + (word.Length == 4 ? "ie" : "i");
        if (word.EndsWith("eed", StringComparison.Ordinal))
        {
            string stem = word[..^3];
            return Measure(stem) > 0 ? stem + "ee" : word;
        }
        string? intermediate = null;
        foreach (var suffix in (ReadOnlySpan<string>)["ed", "ing"])
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                string candidate = word[..^suffix.Length];
                if (ContainsVowel(candidate)) { intermediate = candidate; break; }
            }
        }
        if (intermediate is null) return word;

        string s = intermediate;
        if (s.EndsWith("at", StringComparison.Ordinal)) return s[..^2] + "ate";
        if (s.EndsWith("bl", StringComparison.Ordinal)) return s[..^2] + "ble";
        if (s.EndsWith("iz", StringComparison.Ordinal)) return s[..^2] + "ize";
        char last = s[^1];
        // nltk's "*d" rule; its list entry also matches a literal "*d" suffix, reproduced for exactness.
        if (EndsDoubleConsonant(s) || s.EndsWith("*d", StringComparison.Ordinal))
            return last is 'l' or 's' or 'z' ? s : s[..^2] + last;
        return Measure(s) == 1 && EndsCvc(s) ? s + "e" : s;
    }

    private static string Step1c(string word)
    {
        if (!word.EndsWith('y')) return word;
        string stem = word[..^1];
        return stem.Length > 1 && IsConsonant(stem, stem.Length - 1) ? stem + "i" : word;
    }

    private static string Step2(string word)
    {
        if (word.EndsWith("alli", StringComparison.Ordinal) && PositiveMeasure(word[..^4]))
            return Step2(word[..^4] + "al");
        return ApplyRuleList(word,
        [
            new("ational", "ate", PositiveMeasure), new("tional", "tion", PositiveMeasure),
            new("enci", "ence", PositiveMeasure), new("anci", "ance", PositiveMeasure),
            new("izer", "ize", PositiveMeasure), new("bli", "ble", PositiveMeasure),
            new("alli", "al", PositiveMeasure), new("entli", "ent", PositiveMeasure),
            new("eli", "e", PositiveMeasure), new("ousli", "ous", PositiveMeasure),
            new("ization", "ize", PositiveMeasure), new("ation", "ate", PositiveMeasure),
            new("ator", "ate", PositiveMeasure), new("alism", "al", PositiveMeasure),
            new("iveness", "ive", PositiveMeasure), new("fulness", "ful", PositiveMeasure),
            new("ousness", "ous", PositiveMeasure), new("aliti", "al", PositiveMeasure),
            new("iviti", "ive", PositiveMeasure), new("biliti", "ble", PositiveMeasure),
            new("fulli", "ful", PositiveMeasure),
            new("logi", "log", _ => PositiveMeasure(word[..^3])),
        ]);
    }

    private static string Step5a(string word)
    {
        if (!word.EndsWith('e')) return word;
        string stem = word[..^1];
        int m = Measure(stem);
        if (m > 1) return stem;
        if (m == 1 && !EndsCvc(stem)) return stem;
        return word;
    }

    private static string Step5b(string word)
    {
        if (!word.EndsWith("ll", StringComparison.Ordinal)) return word;
        return Measure(word[..^1]) > 1 ? word[..^1] : word;
    }

    private static Rule[] BuildStep4Rules()
    {
        static bool Gt1(string stem) => Measure(stem) > 1;
        var rules = new List<Rule>();
        foreach (var suffix in (string[])["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent"])
            rules.Add(new(suffix, "", Gt1));
        rules.Add(new("ion", "", stem => Measure(stem) > 1 && stem[^1] is 's' or 't'));
        foreach (var suffix in (string[])["ou", "ism", "ate", "iti", "ous", "ive", "ize"])
            rules.Add(new(suffix, "", Gt1));
        return [.. rules];
    }

    /// <summary>The first rule whose suffix ends the word decides; no later rule is tried.</summary>
    private static string ApplyRuleList(string word, Rule[] rules)
    {
        foreach (var rule in rules)
        {
            if (!word.EndsWith(rule.Suffix, StringComparison.Ordinal)) continue;
            string stem = word[..^rule.Suffix.Length];
            return rule.Condition is null || rule.Condition(stem) ? stem + rule.Replacement : word;
        }
        return word;
    }

    private static bool PositiveMeasure(string stem) => Measure(stem) > 0;

    /// <summary>Whether letter <paramref name="index"/> is a consonant (y after a consonant is a vowel).</summary>
    private static bool IsConsonant(string s, int index)
    {
        bool consonant = false;
        for (int i = 0; i <= index; i++) consonant = IsConsonantGiven(s[i], i, consonant);
        return consonant;
    }

    /// <summary>The number of vowel-consonant transitions.</summary>
    private static int Measure(string s)
    {
        int m = 0;
        bool previous = false;
        for (int i = 0; i < s.Length; i++)
        {
            bool current = IsConsonantGiven(s[i], i, previous);
            if (i > 0 && !previous && current) m++;
            previous = current;
        }
        return m;
    }

    private static bool ContainsVowel(string s)
    {
        bool previous = false;
        for (int i = 0; i < s.Length; i++)
        {
            previous = IsConsonantGiven(s[i], i, previous);
            if (!previous) return true;
        }
        return false;
    }

    /// <summary>nltk's <c>_is_consonant</c> given the consonant status of the previous letter.</summary>
    private static bool IsConsonantGiven(char c, int index, bool previousConsonant) => c switch
    {
        'a' or 'e' or 'i' or 'o' or 'u' => false,
        'y' => index == 0 || !previousConsonant,
        _ => true,
    };

    private static bool EndsDoubleConsonant(string s) =>
        s.Length >= 2 && s[^1] == s[^2] && IsConsonant(s, s.Length - 1);

    private static bool EndsCvc(string s)
    {
        if (s.Length >= 3 && IsConsonant(s, s.Length - 3) && !IsConsonant(s, s.Length - 2)
            && IsConsonant(s, s.Length - 1) && s[^1] is not ('w' or 'x' or 'y'))
            return true;
        return s.Length == 2 && !IsConsonant(s, 0) && IsConsonant(s, 1);
    }

    private static int CodePointCount(string s)
    {
        int count = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            count++;
        }
        return count;
    }

    private static bool HasSurrogate(string s)
    {
        foreach (char c in s)
        {
            if (char.IsSurrogate(c)) return true;
        }
        return false;
    }
}
