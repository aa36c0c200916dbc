using System.Text;
using Suban.Core.Intake;

namespace Suban.Core.Tests;

public sealed class IntakeTests
{
    [Fact]
    public void Format_PadsTheSequenceToSixDigits()
    {
        TrackingNumber.Format("SZ", new DateOnly(2026, 11, 22), 123).ShouldBe("SZ20261122-000123");
    }

    [Theory]
    [InlineData("SZ20261122-000123", true)]
    [InlineData("SZ20261122-1234567", true)]
    [InlineData("BJ20260101-000001", true)]
    [InlineData("sz20261122-000123", false)]
    [InlineData("SZ20261322-000123", false)]
    [InlineData("SZ20261122-00012", false)]
    [InlineData("SZ20261122000123", false)]
    [InlineData("SZ2026112-000123", false)]
    [InlineData("SZ20261122-00012X", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("SZ20261122-000123000000000000", false)]
    public void IsWellFormed_TellsTheShape(string? value, bool expected)
    {
        TrackingNumber.IsWellFormed(value).ShouldBe(expected);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0 }, "image/gif")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50 }, "image/webp")]
    [InlineData(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63 }, "image/heic")]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46 }, null)]
    [InlineData(new byte[] { }, null)]
    public void Sniff_KnowsImagesByTheirBytes(byte[] head, string? expected)
    {
        ImageContent.Sniff(head).ShouldBe(expected);
    }

    [Fact]
    public void Sniff_IgnoresWhatATextFileClaims()
    {
        ImageContent.Sniff(Encoding.UTF8.GetBytes("<html>photo.jpg</html>")).ShouldBeNull();
    }
}
