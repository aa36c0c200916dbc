using Suban.Core.Routing;

namespace Suban.Core.Tests;

public sealed class ClassifierTests
{
    private static readonly (string Text, string Label)[] Examples =
    [
        ("工地晚上施工噪音太大", "noise"), ("楼下工地半夜打桩吵得睡不着", "noise"), ("酒吧音响声音太吵", "noise"),
        ("广场舞音乐扰民", "noise"), ("隔壁装修电钻噪音", "noise"), ("夜间施工噪声扰民", "noise"),
        ("公司拖欠工资三个月", "wages"), ("老板不发工资跑路了", "wages"), ("工厂拖欠农民工工资", "wages"),
        ("离职后工资一直不结", "wages"), ("加班费不给", "wages"), ("欠薪两个月了", "wages"),
        ("健身房倒闭预付卡不退", "consumer"), ("网购商品质量问题商家不退货", "consumer"), ("超市卖过期食品", "consumer"),
        ("美容院办卡后关门", "consumer"), ("外卖吃出异物", "consumer"), ("商家虚假宣传", "consumer"),
    ];

    private static TextClassifier Model() => TextClassifier.Train(Examples, new TextClassifier.Options { CalibrationShare = 0 });

    [Theory]
    [InlineData("晚上工地还在施工好吵", "noise")]
    [InlineData("公司一直拖欠我的工资", "wages")]
    [InlineData("买的预付卡商家跑路了不给退", "consumer")]
    public void Predict_UnseenPhrasing_RightLabel(string text, string label)
    {
        Model().Predict(text).Best.Label.ShouldBe(label);
    }

    [Fact]
    public void Predict_ProbabilitiesSumToOneAndAreOrdered()
    {
        var result = Model().Predict("工地噪音", top: 3);
        result.Top.Sum(t => t.Probability).ShouldBe(1.0, 1e-9);
        result.Top.Select(t => t.Probability).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public void Predict_Explained_ByTheNgramsThatWeighedMost()
    {
        var result = Model().Predict("工地施工噪音", explain: true);
        result.Explanation.ShouldNotBeEmpty();
        result.Explanation.Select(e => e.Feature).ShouldContain(f => f.Contains("噪") || f.Contains("工地") || f.Contains("施工"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("😀😀😀!!!???")]
    [InlineData("。，、；：")]
    public void Predict_NothingToRead_NoGuess(string text)
    {
        Model().Predict(text).Top.ShouldBeEmpty();
        Model().PredictBest(text).ShouldBeNull();
    }

    [Theory]
    [InlineData("晚上工地還在施工好吵，噪音擾民", "noise")]
    [InlineData("公司一直拖欠我的工資，離職後也不結", "wages")]
    [InlineData("買的預付卡商家跑路了不給退", "consumer")]
    public void Predict_TraditionalChinese_ReadAsSimplified(string traditional, string label)
    {
        var model = Model();
        model.Predict(traditional).Best.Label.ShouldBe(label);
        model.Predict(traditional).Best.Probability.ShouldBe(model.Predict(TextFeatures.ToSimplified(traditional)).Best.Probability, 1e-12);
    }

    [Fact]
    public void ToSimplified_FoldsTraditionalAndLeavesEverythingElse()
    {
        TextFeatures.ToSimplified("這個區的噪聲問題，請處理！ABC 123").ShouldBe("这个区的噪声问题，请处理！ABC 123");
        TextFeatures.ToSimplified("深圳市福田区").ShouldBe("深圳市福田区");
    }

    [Fact]
    public void Predict_HugeAndMixedText_StillAnswers()
    {
        var model = Model();
        model.Predict(string.Concat(Enumerable.Repeat("工地噪音", 25_000))).Best.Label.ShouldBe("noise");
        model.Predict("The construction site 工地 is very noisy 噪音 at night").Best.Label.ShouldBe("noise");
        model.Predict("工地施工噪音擾民").Best.Label.ShouldBe("noise"); // Traditional characters for part of it
    }

    [Fact]
    public void SaveLoad_RoundTrip_SamePredictions()
    {
        var model = Model();
        var loaded = TextClassifier.Load(model.ToBytes());
        loaded.Labels.ShouldBe(model.Labels);
        foreach (var text in new[] { "工地噪音", "拖欠工资", "预付卡不退" })
        {
            loaded.Predict(text).Top.ShouldBe(model.Predict(text).Top);
        }
    }

    [Fact]
    public void Load_CorruptTruncatedOrForeign_ClearError()
    {
        var bytes = Model().ToBytes();
        var flipped = bytes.ToArray();
        flipped[bytes.Length / 2] ^= 0xFF;
        Should.Throw<ModelFormatException>(() => TextClassifier.Load(flipped)).Message.ShouldContain("corrupt");
        Should.Throw<ModelFormatException>(() => TextClassifier.Load(bytes[..^10])).Message.ShouldContain("truncated");
        Should.Throw<ModelFormatException>(() => TextClassifier.Load("hello world, not a model"u8.ToArray()));
        var future = bytes.ToArray();
        future[8] = 99;
        Should.Throw<ModelFormatException>(() => TextClassifier.Load(future)).Message.ShouldContain("version 99");
    }

    [Fact]
    public void Train_NeedsTwoLabels()
    {
        Should.Throw<ArgumentException>(() => TextClassifier.Train([("a", "x"), ("b", "x")]));
    }

    [Fact]
    public void Evaluate_PerfectAndBrokenPredictions_MacroF1()
    {
        Evaluation.Score(["a", "b", "a"], ["a", "b", "a"]).MacroF1.ShouldBe(1.0);
        var half = Evaluation.Score(["a", "a", "b", "b"], ["a", "b", "b", "b"]);
        half.Accuracy.ShouldBe(0.75);
        half.PerClass.Single(c => c.Label == "a").Recall.ShouldBe(0.5);
        half.PerClass.Single(c => c.Label == "b").Precision.ShouldBe(2.0 / 3);
    }

    [Fact]
    public void ChooseThreshold_LowestProbabilityThatKeepsThePrecision()
    {
        // Ten sure and right, then a wrong one at 0.6, a right one, a wrong one: 95% holds down to 0.90 only.
        var validation = Enumerable.Range(0, 10).Select(i => (0.99 - i * 0.01, true))
            .Append((0.6, false)).Append((0.5, true)).Append((0.4, false)).ToList();
        var (threshold, precision, share) = Evaluation.ChooseThreshold(validation, 0.95);
        threshold.ShouldBe(0.9, 1e-9);
        precision.ShouldBe(1.0);
        share.ShouldBe(10.0 / 13, 1e-9);

        // At 90% the wrong 0.6 may come in, together with the right 0.5 behind it (11 of 12).
        Evaluation.ChooseThreshold(validation, 0.9).Threshold.ShouldBe(0.5);

        // Never right: nothing is dispatched automatically.
        Evaluation.ChooseThreshold([(0.9, false), (0.8, false), (0.7, false), (0.6, false), (0.5, false)], 0.95).Share.ShouldBe(0);
    }

    [Fact]
    public void CalibrationError_ZeroWhenSureMeansRight_LargeWhenOverconfident()
    {
        // Three of four right at 75%: exactly as sure as it should be.
        Evaluation.CalibrationError([0.75, 0.75, 0.75, 0.75], [true, true, false, true])!.Value.ShouldBe(0, 1e-12);

        // 95% sure and wrong both times: off by 0.95; mixed with a calibrated half, by half that.
        Evaluation.CalibrationError([0.95, 0.95], [false, false])!.Value.ShouldBe(0.95, 1e-12);
        Evaluation.CalibrationError([0.95, 0.95, 0.55, 0.55], [false, false, true, false])!.Value.ShouldBe((0.95 * 2 + Math.Abs(1 - 1.1)) / 4, 1e-12);
        Evaluation.CalibrationError([], []).ShouldBeNull();
    }

    [Fact]
    public void CrossValidate_ReportsTheAutomaticShareOnFoldsTheThresholdNeverSaw()
    {
        var report = Evaluation.CrossValidate(Examples, folds: 3, new TextClassifier.Options { CalibrationShare = 0 }, targetPrecision: 0.5);
        report.Automatic.ShouldNotBeNull();
        report.Automatic.Target.ShouldBe(0.5);

        // Most go automatically, and those that do are right more often than the model is overall.
        report.Automatic.Share.ShouldBeGreaterThan(0.5);
        report.Automatic.Precision.ShouldBeGreaterThanOrEqualTo(report.Accuracy);

        Evaluation.Score(["a"], ["a"]).Automatic.ShouldBeNull();
    }
}
