namespace Sts.Tests.Support;

/// <summary>
/// Expected schedule runs across the daylight-saving changes of 2027 in Europe/Oslo (clocks forward 28 March 02:00 CET
/// -> 03:00 CEST, back 31 October 03:00 CEST -> 02:00 CET): the timing unit tests and the end-to-end scheduler tests
/// check against the same lists.
/// </summary>
public static class OsloDst
{
    // Daily 02:30 in Oslo, in UTC, with the local time each stands for.
    public static readonly DateTimeOffset[] DailyMarch =
    [
        Utc("2027-03-26T01:30"), // 02:30 CET
        Utc("2027-03-27T01:30"), // 02:30 CET
        Utc("2027-03-28T01:00"), // 03:00 CEST: 02:30 does not exist that night; the run comes at the end of the gap
        Utc("2027-03-29T00:30"), // 02:30 CEST
        Utc("2027-03-30T00:30"), // 02:30 CEST
    ];

    public static readonly DateTimeOffset[] DailyOctober =
    [
        Utc("2027-10-29T00:30"), // 02:30 CEST
        Utc("2027-10-30T00:30"), // 02:30 CEST
        Utc("2027-10-31T00:30"), // 02:30 CEST, the first of that night's two 02:30s; the second (01:30 UTC) does not run
        Utc("2027-11-01T01:30"), // 02:30 CET
        Utc("2027-11-02T01:30"), // 02:30 CET
    ];

    // Every 6 hours from local midnight of 28 March: exact durations, so the local times move by the clock change.
    public static readonly DateTimeOffset[] SixHourlyMarch =
    [
        Utc("2027-03-27T23:00"), // 00:00 CET, 28 March
        Utc("2027-03-28T05:00"), // 07:00 CEST (the clocks went forward at 01:00 UTC in between)
        Utc("2027-03-28T11:00"), // 13:00 CEST
        Utc("2027-03-28T17:00"), // 19:00 CEST
        Utc("2027-03-28T23:00"), // 01:00 CEST, 29 March
    ];

    public static readonly DateTimeOffset[] SixHourlyOctober =
    [
        Utc("2027-10-30T17:00"), // 19:00 CEST, 30 October
        Utc("2027-10-30T23:00"), // 01:00 CEST, 31 October
        Utc("2027-10-31T05:00"), // 06:00 CET (the clocks went back at 01:00 UTC in between)
        Utc("2027-10-31T11:00"), // 12:00 CET
        Utc("2027-10-31T17:00"), // 18:00 CET
    ];

    public static DateTimeOffset Utc(string minute) =>
        DateTimeOffset.ParseExact(minute + "Z", "yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
}
