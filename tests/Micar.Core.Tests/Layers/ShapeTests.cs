using Xunit;
using Micar.Layers;

namespace Micar.Tests.Layers;

public class ShapeTests
{
    [Fact]
    public void PrintsAndParsesLikeTheReferenceTsv()
    {
        Assert.Equal("[64, 3, 7, 7]", new Shape(64, 3, 7, 7).ToString());
        Assert.Equal("[]", Shape.Scalar.ToString());
        Assert.Equal(new Shape(1, 80, 512), Shape.Parse("[1, 80, 512]"));
        Assert.Equal(Shape.Scalar, Shape.Parse("[]"));
        Assert.Equal(1, Shape.Scalar.Numel);
        Assert.Equal(40960, Shape.Parse("[1, 80, 512]").Numel);
    }

    [Fact]
    public void HasValueEquality()
    {
        Assert.Equal(new Shape(2, 3), new Shape(2, 3));
        Assert.True(new Shape(2, 3) == new Shape(2, 3));
        Assert.NotEqual(new Shape(2, 3), new Shape(3, 2));
        Assert.Equal(new Shape(2, 3).GetHashCode(), new Shape(2, 3).GetHashCode());
        Assert.Equal(new Shape(2, 7), new Shape(2, 3).WithLast(7));
        Assert.Equal(3, new Shape(2, 3)[-1]);
    }

    [Theory]
    [InlineData("64, 3")]
    [InlineData("[64; 3]")]
    [InlineData("[64, -3]")]
    public void RejectsMalformedText(string text) =>
        Assert.Contains(text, Assert.Throws<FormatException>(() => Shape.Parse(text)).Message);
}
