using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Cases;

/// <summary>The case lead (or an administrator) decides who is on a case.</summary>
public static class ManageCaseTeam
{
    public sealed class Handler(CaseWriter writer)
    {
        public Task<CommandResult> AddMemberAsync(string reference, string email, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                if (RequireLead(@case, user) is { } refused)
                {
                    return refused;
                }
                var normalized = (email ?? "").Trim().ToUpperInvariant();
                var member = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
                if (member is null || member.IsDisabled
                    || !await db.UserRoles.AnyAsync(ur => ur.UserId == member.Id, cancellationToken))
                {
                    return CommandResult.Fail("No approved, active account has that email address.", "MemberEmail");
                }
                if (member.Id == @case.LeadId || @case.Members.Any(m => m.UserId == member.Id))
                {
                    return CommandResult.Fail($"{member.Label} is already on the team.", "MemberEmail");
                }
                @case.Members.Add(new CaseMember { CaseId = @case.Id, UserId = member.Id, AddedAt = now });
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.TeamChanged,
                    $"{member.Label} joined the case team.", changes: [new FieldChange("Members", null, member.Label)]);
                return CommandResult.Success;
            }, cancellationToken);

        public Task<CommandResult> RemoveMemberAsync(string reference, string memberId, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                if (RequireLead(@case, user) is { } refused)
                {
                    return refused;
                }
                var membership = @case.Members.SingleOrDefault(m => m.UserId == memberId);
                if (membership is null)
                {
                    return CommandResult.Fail("That person is not a member of this case.", "MemberEmail");
                }
                var label = await LabelAsync(db, memberId, cancellationToken);
                @case.Members.Remove(membership);
                db.CaseMembers.Remove(membership);
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.TeamChanged,
                    $"{label} left the case team.", changes: [new FieldChange("Members", label, null)]);
                return CommandResult.Success;
            }, cancellationToken);

        /// <summary>Hands the lead to a member; the previous lead stays on as a member.</summary>
        public Task<CommandResult> SetLeadAsync(string reference, string memberId, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                if (RequireLead(@case, user) is { } refused)
                {
                    return refused;
                }
                var membership = @case.Members.SingleOrDefault(m => m.UserId == memberId);
                if (membership is null)
                {
                    return CommandResult.Fail("Only a member of the team can become its lead.", "MemberEmail");
                }
                var oldLead = await LabelAsync(db, @case.LeadId, cancellationToken);
                var newLead = await LabelAsync(db, memberId, cancellationToken);
                @case.Members.Remove(membership);
                db.CaseMembers.Remove(membership);
                @case.Members.Add(new CaseMember { CaseId = @case.Id, UserId = @case.LeadId, AddedAt = now });
                @case.LeadId = memberId;
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.TeamChanged,
                    $"{newLead} now leads the case (was {oldLead}).", changes: [new FieldChange("Lead", oldLead, newLead)]);
                return CommandResult.Success;
            }, cancellationToken);

        private static CommandResult? RequireLead(Case @case, CurrentUser user) =>
            user.IsAdministrator || @case.LeadId == user.Id
                ? null
                : CommandResult.Fail("Only the case lead or an administrator changes the team.", "MemberEmail");

        private static async Task<string> LabelAsync(Infrastructure.Data.AppDbContext db, string userId, CancellationToken cancellationToken) =>
            (await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken))?.Label ?? userId;
    }
}
