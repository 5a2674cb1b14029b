using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>
/// Tells when an interactive page is live. Blazor Server first sends prerendered HTML with no event handlers;
/// until the circuit renders the component, typing is lost and a click submits the form to the server as a
/// plain POST. The circuit's first render replaces the prerendered elements with new ones, so an element
/// that was not in the server's HTML was rendered by the circuit and has its handlers.
/// </summary>
public static class BlazorCircuit
{
    private const string PrerenderedAttribute = "data-e2e-prerendered";

    /// <summary>
    /// Marks every element of the server's HTML, both on a page load and after Blazor's enhanced navigation.
    /// Both marks land before the circuit can render: Blazor starts its circuit from a DOMContentLoaded
    /// listener that blazor.web.js, a script at the end of the body, registers after this init script's; and
    /// after an enhanced navigation it attaches components only through a round trip to the server, which
    /// cannot complete before 'enhancedload', raised in the same task that swapped the HTML in.
    /// </summary>
    public const string InitScript =
        $$"""
        document.addEventListener('DOMContentLoaded', () => {
            const mark = () => document.querySelectorAll('body *').forEach(e => e.setAttribute('{{PrerenderedAttribute}}', ''));
            mark();
            window.Blazor?.addEventListener('enhancedload', mark);
        }, { once: true });
        """;

    /// <summary>
    /// Waits until the circuit has rendered <paramref name="landmark"/>, an element of the interactive component
    /// that no other page has: after a link click the address changes before the new page's HTML arrives, and
    /// the previous page's live elements are still there.
    /// </summary>
    public static async Task WaitUntilInteractiveAsync(ILocator landmark) =>
        await Assertions.Expect(landmark.And(landmark.Page.Locator($":not([{PrerenderedAttribute}])"))).ToBeVisibleAsync();
}
