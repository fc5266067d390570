using System.ComponentModel.DataAnnotations;
using Sts.PdfWorker.Cache;

namespace Sts.PdfWorker.Tests.Cache;

public sealed class RenderCacheOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_as_documented()
    {
        var options = new RenderCacheOptions();

        Assert.Empty(Validate(options));
        Assert.True(options.Enabled);
        Assert.Equal(64L * 1024 * 1024, options.MemoryMaxBytes);
        Assert.Equal(1024L * 1024 * 1024, options.DiskMaxBytes);
        Assert.Equal("data/render-cache", options.DiskRoot);
        Assert.Equal(TimeSpan.FromHours(72), options.DiskMaxAge);
    }

    [Fact]
    public void Zero_bounds_are_valid_because_they_turn_a_level_off()
    {
        Assert.Empty(Validate(new RenderCacheOptions { MemoryMaxBytes = 0, DiskMaxBytes = 0 }));
    }

    [Fact]
    public void Negative_bounds_an_empty_root_and_a_zero_age_are_rejected()
    {
        var options = new RenderCacheOptions { MemoryMaxBytes = -1, DiskMaxBytes = -1, DiskRoot = " ", DiskMaxAge = TimeSpan.Zero };

        var invalid = Validate(options).SelectMany(r => r.MemberNames).Order(StringComparer.Ordinal);

        Assert.Equal(["DiskMaxAge", "DiskMaxBytes", "DiskRoot", "MemoryMaxBytes"], invalid);
    }

    private static List<ValidationResult> Validate(RenderCacheOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
