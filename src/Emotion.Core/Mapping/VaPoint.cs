namespace Emotion.Core.Mapping;

/// <summary>A point of the valence-arousal plane (valence on the horizontal axis, arousal on the vertical one).</summary>
/// <param name="Valence">Valence (negative to positive).</param>
/// <param name="Arousal">Arousal (calm to excited).</param>
public readonly record struct VaPoint(double Valence, double Arousal)
{
    /// <summary>Distance from the origin (the neutral point), the intensity of the affect in Russell's circumplex.</summary>
    public double Radius => Math.Sqrt(Valence * Valence + Arousal * Arousal);

    /// <summary>
    /// Angle on the circumplex in degrees in [0, 360), counter-clockwise from the positive valence axis (Russell, 1980:
    /// pleasure 0°, arousal 90°, displeasure 180°, sleepiness 270°); null at the origin, where it is undefined.
    /// </summary>
    public double? AngleDegrees
    {
        get
        {
            if (Valence == 0 && Arousal == 0) return null;
            double degrees = Math.Atan2(Arousal, Valence) * 180.0 / Math.PI;
            return degrees < 0 ? degrees + 360.0 : degrees;
        }
    }

    /// <summary>Euclidean distance to another point.</summary>
    public double DistanceTo(VaPoint other)
    {
        double dv = Valence - other.Valence, da = Arousal - other.Arousal;
        return Math.Sqrt(dv * dv + da * da);
    }
}
