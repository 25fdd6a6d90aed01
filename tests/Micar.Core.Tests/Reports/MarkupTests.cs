using Micar.Reports.Plotting;
using Xunit;

namespace Micar.Tests.Reports;

public sealed class MarkupTests
{
    [Fact]
    public void Escapes_the_five_markup_characters()
    {
        Assert.Equal("&lt;unk&gt; &amp; &quot;a&quot; &#39;b&#39;", Markup.Escape("<unk> & \"a\" 'b'"));
        Assert.Equal("plain text", Markup.Escape("plain text"));
        Assert.Equal("", Markup.Escape(null));
    }

    [Fact]
    public void Replaces_characters_xml_forbids_and_keeps_valid_ones()
    {
        Assert.Equal("a\uFFFDb\tc\nd", Markup.Escape("a\u0001b\tc\nd"));
        Assert.Equal("x\uFFFDy", Markup.Escape("x\uD800y"));          // lone high surrogate
        Assert.Equal("\uFFFD", Markup.Escape("\uDC00"));               // lone low surrogate
        Assert.Equal("肺 \U0001F600", Markup.Escape("肺 \U0001F600"));   // CJK and a valid pair stay
        Assert.Equal("\uFFFD", Markup.Escape("\uFFFE"));
    }

    [Fact]
    public void Escaped_text_round_trips_through_an_xml_parser()
    {
        const string nasty = "<script>alert('x')</script> & \"q\" \u0007";
        var doc = System.Xml.Linq.XDocument.Parse($"<t a=\"{Markup.Escape(nasty)}\">{Markup.Escape(nasty)}</t>");
        var expected = nasty.Replace('\u0007', '\uFFFD');
        Assert.Equal(expected, doc.Root!.Value);
        Assert.Equal(expected, doc.Root.Attribute("a")!.Value);
    }
}
