using DisclosureDesk.Features.Cases;
using Microsoft.AspNetCore.Components.Forms;

namespace DisclosureDesk.Components.Shared;

/// <summary>Shows a handler's refusal beside the fields it names, like client-side validation would.</summary>
public static class ServerValidation
{
    /// <returns>Messages that belong to no field of <paramref name="model"/>, for the form's summary.</returns>
    public static IReadOnlyList<string> Show(EditContext editContext, ValidationMessageStore store, object model, CommandResult result)
    {
        store.Clear();
        var unplaced = new List<string>();
        foreach (var (member, messages) in result.Errors)
        {
            if (member.Length > 0 && model.GetType().GetProperty(member) is not null)
            {
                store.Add(new FieldIdentifier(model, member), messages);
            }
            else
            {
                unplaced.AddRange(messages);
            }
        }
        editContext.NotifyValidationStateChanged();
        return unplaced;
    }
}
