using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;

namespace DisclosureDesk.ComponentTests;

/// <summary>Finds controls the way a user does: by their label or their caption, not by markup structure.</summary>
public static class RenderedComponentExtensions
{
    public static IElement FindByLabel<TComponent>(this IRenderedComponent<TComponent> component, string labelText)
        where TComponent : IComponent =>
        component.Find($"#{Label(component, labelText).GetAttribute("for")}");

    /// <summary>
    /// The validation messages shown in the same field group as the labelled control. The pages give
    /// ValidationMessage a <c>class</c>, which replaces its own <c>validation-message</c> class, so the
    /// messages are found by the red text they are shown as.
    /// </summary>
    public static IReadOnlyList<string> MessagesBeside<TComponent>(this IRenderedComponent<TComponent> component, string labelText)
        where TComponent : IComponent =>
        Label(component, labelText).ParentElement!.QuerySelectorAll(".text-danger").Select(m => m.TextContent.Trim()).ToList();

    public static IElement FindButton<TComponent>(this IRenderedComponent<TComponent> component, string caption)
        where TComponent : IComponent =>
        component.FindAll("button").Single(b => b.TextContent.Trim() == caption);

    private static IElement Label<TComponent>(IRenderedComponent<TComponent> component, string labelText)
        where TComponent : IComponent =>
        component.FindAll("label").Single(l => l.TextContent.Trim() == labelText);
}
