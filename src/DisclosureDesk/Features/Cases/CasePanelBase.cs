using DisclosureDesk.Features.Users;
using Microsoft.AspNetCore.Components;

namespace DisclosureDesk.Features.Cases;

/// <summary>
/// A panel of the case page that runs commands on the case: shows the refusal if there is one, and
/// tells the page to reload when the case changed.
/// </summary>
public abstract class CasePanelBase : ComponentBase
{
    [Inject] protected CurrentUserAccessor CurrentUserAccessor { get; set; } = default!;

    [Parameter] public EventCallback OnChanged { get; set; }

    protected string? Error { get; private set; }

    protected bool Busy { get; private set; }

    protected void Show(CommandResult result) => Error = result.Succeeded ? null : result.Summary;

    protected async Task<bool> RunAsync(Func<CurrentUser, Task<CommandResult>> command)
    {
        Busy = true;
        try
        {
            var result = await command(await CurrentUserAccessor.GetRequiredAsync());
            Show(result);
            if (result.Succeeded)
            {
                await OnChanged.InvokeAsync();
            }
            return result.Succeeded;
        }
        finally
        {
            Busy = false;
        }
    }
}
