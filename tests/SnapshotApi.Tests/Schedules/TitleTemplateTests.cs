using Sts.SnapshotApi.Schedules;

namespace Sts.SnapshotApi.Tests.Schedules;

public sealed class TitleTemplateTests
{
    private static readonly DateTimeOffset Slot = new(2027, 10, 31, 2, 30, 0, TimeSpan.FromHours(2));

    [Theory]
    [InlineData("Daily {room} {date} {time}", "Daily room-1 2027-10-31 02:30")]
    [InlineData("{slot}", "2027-10-31T02:30:00+02:00")]
    [InlineData("Braces {{literal}} and }}", "Braces {literal} and }")]
    [InlineData("No placeholders", "No placeholders")]
    public void Placeholders_are_filled_in_the_schedules_zone(string template, string title)
    {
        Assert.Null(TitleTemplate.Problem(template));
        Assert.Equal(title, TitleTemplate.Render(template, "room-1", Slot));
    }

    [Theory]
    [InlineData("{weekday}", "unknown placeholder")]
    [InlineData("Open {room", "without its '}'")]
    [InlineData("Close room}", "without its '{'")]
    [InlineData("{slot}{slot}{slot}{slot}{slot}{slot}{slot}{slot}x", "can fill in to 201 characters")]
    public void Unusable_templates_say_why(string template, string problem) =>
        Assert.Contains(problem, TitleTemplate.Problem(template), StringComparison.Ordinal);
}
