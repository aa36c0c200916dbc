using Suban.Core.Duplicates;

namespace Suban.Core.Tests;

public sealed class DuplicateTests
{
    private static readonly MinHash Hasher = new();

    [Fact]
    public void Signature_SameTextAgain_SameSignatureAndKeys()
    {
        var a = Hasher.Signature("福华路工地每天晚上十一点以后还在打桩，噪音太大")!;
        var b = Hasher.Signature("福华路工地每天晚上十一点以后还在打桩，噪音太大！")!;
        MinHash.Similarity(a, b).ShouldBe(1.0);
        Hasher.BandKeys(a).ShouldBe(Hasher.BandKeys(b));
    }

    [Fact]
    public void Similarity_NearDuplicateHigh_UnrelatedLow()
    {
        var original = Hasher.Signature("福华路工地每天晚上十一点以后还在打桩施工，噪音太大，吵得睡不着，希望有关部门管一管")!;
        var reworded = Hasher.Signature("福华路工地每天晚上十一点以后还在打桩施工，噪音太大，吵得根本睡不着，请有关部门管一管")!;
        var unrelated = Hasher.Signature("公司拖欠我们三个月工资，老板联系不上，请人社部门帮忙追讨")!;
        MinHash.Similarity(original, reworded).ShouldBeGreaterThan(0.6);
        MinHash.Similarity(original, unrelated).ShouldBeLessThan(0.1);
        Hasher.BandKeys(original).Intersect(Hasher.BandKeys(reworded)).ShouldNotBeEmpty();
        Hasher.BandKeys(original).Intersect(Hasher.BandKeys(unrelated)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("😀😀")]
    [InlineData("好")]
    public void Signature_TooLittleText_None(string text)
    {
        Hasher.Signature(text).ShouldBeNull();
    }

    [Fact]
    public void Signature_RoundTripsThroughBytes()
    {
        var signature = Hasher.Signature("小区垃圾清运不及时")!;
        MinHash.FromBytes(MinHash.ToBytes(signature)).ShouldBe(signature);
    }

    [Fact]
    public void Metres_OneThousandthOfADegreeOfLatitude_About111()
    {
        DuplicateRules.Metres(22.540, 114.05, 22.541, 114.05).ShouldBe(111.2, 0.5);
    }
}
