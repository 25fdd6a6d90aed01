using Micar.Metrics;
using Xunit;

namespace Micar.Tests.Metrics;

/// <summary>
/// NltkMeteor's indexed greedy matching against a literal transcription of nltk's <c>_match_enums</c> scans
/// (every hypothesis item from last to first, every remaining reference item from last to first).
/// </summary>
public sealed class MeteorMatchingTests
{
    private static readonly WordNetDatabase WordNet = WordNetDatabase.Embedded;

    private static List<(int, int)> NltkAlignment(IReadOnlyList<string> hypothesis, IReadOnlyList<string> reference)
    {
        var hyp = hypothesis.Select((t, i) => (Position: i, Form: PythonString.Lower(t))).ToList();
        var refs = reference.Select((t, i) => (Position: i, Form: PythonString.Lower(t))).ToList();
        var matches = new List<(int, int)>();
        void Stage(Func<string, string, bool> accepts)
        {
            for (int i = hyp.Count - 1; i >= 0; i--)
            {
                for (int j = refs.Count - 1; j >= 0; j--)
                {
                    if (!accepts(hyp[i].Form, refs[j].Form)) continue;
                    matches.Add((hyp[i].Position, refs[j].Position));
                    hyp.RemoveAt(i);
                    refs.RemoveAt(j);
                    break;
                }
            }
        }
        Stage((h, r) => h == r);
        hyp = hyp.Select(x => (x.Position, PorterStemmer.Stem(x.Form))).ToList();
        refs = refs.Select(x => (x.Position, PorterStemmer.Stem(x.Form))).ToList();
        Stage((h, r) => h == r);
        Stage((h, r) => WordNet.Synonyms(h).Contains(r));
        return matches.OrderBy(m => m.Item1).ToList();
    }

    [Fact]
    public void Alignment_equals_nltks_scan_on_random_texts_with_stems_and_synonyms()
    {
        // Unstemmed synonyms (the WordNet stage sees stems): chest ~ breast, thorax; set ~ mark, band; clear ~ light,
        // top; big ~ great; test ~ exam; show ~ display. Several synonyms of one word in a reference test the tie rule.
        string[] vocabulary =
        [
            "chest", "breast", "thorax", "set", "mark", "band", "clear", "light", "top", "big", "great", "test", "exam",
            "show", "shows", "display", "heart", "Heart", "hearts", "lungs", "no", ".",
        ];
        var meteor = new NltkMeteor(WordNet);
        var random = new Random(20261205);
        for (int trial = 0; trial < 300; trial++)
        {
            var h = Enumerable.Range(0, random.Next(0, 25)).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray();
            var r = Enumerable.Range(0, random.Next(0, 25)).Select(_ => vocabulary[random.Next(vocabulary.Length)]).ToArray();
            meteor.Score(h, r, out var alignment);
            Assert.Equal(NltkAlignment(h, r), alignment.Select(a => (a.Hypothesis, a.Reference)).ToList());
        }
    }
}
