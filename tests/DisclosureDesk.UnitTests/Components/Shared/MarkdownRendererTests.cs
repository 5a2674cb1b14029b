using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using DisclosureDesk.Components.Shared;

namespace DisclosureDesk.UnitTests.Components.Shared;

public class MarkdownRendererTests
{
    private readonly MarkdownRenderer _renderer = new();

    [Theory]
    [InlineData("Hello <script>alert(1)</script>")]
    [InlineData("<script src=\"https://evil.example/x.js\"></script>")]
    [InlineData("```\n</code></pre><script>alert(1)</script>\n```")]
    public void ToSafeHtml_ScriptTag_IsNotAnElement(string markdown)
    {
        var html = _renderer.ToSafeHtml(markdown);

        Assert.Empty(Parse(html).QuerySelectorAll("script"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ToSafeHtml_RawHtml_IsShownAsText()
    {
        var html = _renderer.ToSafeHtml("Hello <script>alert(1)</script>");

        Assert.Equal("Hello <script>alert(1)</script>", Parse(html).Body!.TextContent.Trim());
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JavaScript:alert(1))")]
    [InlineData("[x](jav&#x61;script:alert(1))")]
    [InlineData("[x](javascript&colon;alert(1))")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[x]: javascript:alert(1)\n\n[x]")]
    [InlineData("[x](vbscript:msgbox(1))")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")]
    public void ToSafeHtml_ScriptableLink_HasNoHref(string markdown)
    {
        var document = Parse(_renderer.ToSafeHtml(markdown));

        Assert.Empty(document.QuerySelectorAll("[href]"));
    }

    [Fact]
    public void ToSafeHtml_OrdinaryMarkdown_RendersEmphasisAndSafeLinks()
    {
        var html = _renderer.ToSafeHtml("Some *emphasis*, **strong** text and [the report](https://example.com/report?id=1).");

        var document = Parse(html);
        Assert.Equal("emphasis", document.QuerySelector("em")?.TextContent);
        Assert.Equal("strong", document.QuerySelector("strong")?.TextContent);
        var link = Assert.Single(document.QuerySelectorAll("a"));
        Assert.Equal("https://example.com/report?id=1", link.GetAttribute("href"));
        Assert.Equal("noopener noreferrer nofollow", link.GetAttribute("rel"));
        Assert.Equal("_blank", link.GetAttribute("target"));
        Assert.Equal("the report", link.TextContent);
    }

    [Theory]
    [InlineData("See https://example.com/advisory for details.", "https://example.com/advisory")]
    [InlineData("Write to <mailto:security@example.com>.", "mailto:security@example.com")]
    public void ToSafeHtml_AutoLink_KeepsHrefAndGetsRel(string markdown, string href)
    {
        var link = Assert.Single(Parse(_renderer.ToSafeHtml(markdown)).QuerySelectorAll("a"));

        Assert.Equal(href, link.GetAttribute("href"));
        Assert.Equal("noopener noreferrer nofollow", link.GetAttribute("rel"));
    }

    [Theory]
    [InlineData("![tracking pixel](https://tracker.example/pixel.png)")]
    [InlineData("<img src=\"https://tracker.example/pixel.png\" onerror=\"alert(1)\">")]
    public void ToSafeHtml_Image_IsNotRendered(string markdown)
    {
        var html = _renderer.ToSafeHtml(markdown);

        Assert.Empty(Parse(html).QuerySelectorAll("img"));
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n ")]
    public void ToSafeHtml_NoText_IsEmpty(string? markdown)
    {
        Assert.Equal("", _renderer.ToSafeHtml(markdown));
    }

    private static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);
}
