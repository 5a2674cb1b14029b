using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Notifications;

internal sealed class SendPacingLaneConfiguration : IEntityTypeConfiguration<SendPacingLane>
{
    public void Configure(EntityTypeBuilder<SendPacingLane> builder)
    {
        builder.ToTable("SendPacingLanes");
        // No length limit: a name is whatever follows the @ of a stored recipient, and a lane that could not be
        // written would stop every delivery run at that row.
        builder.HasKey(l => l.Name);
    }
}
