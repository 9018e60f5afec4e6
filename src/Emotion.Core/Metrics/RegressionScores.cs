namespace Emotion.Core.Metrics;

/// <summary>
/// Agreement between a predicted and a target series over the scored entries (see <see cref="RegressionMetrics"/> for the
/// formulas and the definitions used for constant series). Variances and the covariance are population moments (divided by
/// <see cref="Count"/>), as in the CCC of the AVEC and ABAW challenges.
/// </summary>
/// <param name="Count">Number of scored entries (always positive).</param>
/// <param name="Ccc">Lin's concordance correlation coefficient, in [-1, 1].</param>
/// <param name="Pearson">Pearson's correlation coefficient r, in [-1, 1]; 0 when either series is constant.</param>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="MeanPrediction">Mean of the predictions.</param>
/// <param name="MeanTarget">Mean of the targets.</param>
/// <param name="PredictionVariance">Population variance of the predictions.</param>
/// <param name="TargetVariance">Population variance of the targets.</param>
/// <param name="Covariance">Population covariance of predictions and targets.</param>
public sealed record RegressionScores(
    long Count,
    double Ccc,
    double Pearson,
    double Rmse,
    double Mse,
    double Mae,
    double MeanPrediction,
    double MeanTarget,
    double PredictionVariance,
    double TargetVariance,
    double Covariance);
