namespace Emotion.FaceDetection.Tracking;

/// <summary>
/// One object per face track, for example one emotion prediction stream per person: created on a track's first frame
/// by the factory, disposed (when <see cref="IDisposable"/>) when the track ends. Feed it the tracker's output each frame:
/// <code>
/// var faces = tracker.Update(detector.Detect(frame));
/// streams.Close(tracker.EndedTrackIds);
/// foreach (var face in faces) streams[face.TrackId].Push(frame, frameNumber, face.Box);
/// </code>
/// Not thread-safe.
/// </summary>
/// <typeparam name="T">The per-track object.</typeparam>
public sealed class TrackStreams<T> : IDisposable where T : class
{
    private readonly Func<int, T> factory;
    private readonly Dictionary<int, T> streams = [];

    /// <summary>Creates the collection.</summary>
    /// <param name="factory">Creates the object of a new track from its id.</param>
    public TrackStreams(Func<int, T> factory)
    {
        this.factory = factory ?? throw new ArgumentNullException(nameof(factory));
    }

    /// <summary>The object of track <paramref name="trackId"/>, created on first use.</summary>
    public T this[int trackId]
    {
        get
        {
            if (!streams.TryGetValue(trackId, out var stream))
            {
                stream = factory(trackId) ?? throw new InvalidOperationException($"The stream factory returned null for track {trackId}.");
                streams.Add(trackId, stream);
            }
            return stream;
        }
    }

    /// <summary>The ids of the tracks that have an open object.</summary>
    public IReadOnlyCollection<int> OpenTrackIds => streams.Keys;

    /// <summary>Removes (and disposes, when disposable) the objects of the given tracks; unknown ids are ignored.</summary>
    public void Close(IEnumerable<int> trackIds)
    {
        ArgumentNullException.ThrowIfNull(trackIds);
        foreach (int id in trackIds)
        {
            if (streams.Remove(id, out var stream)) (stream as IDisposable)?.Dispose();
        }
    }

    /// <summary>Disposes every open object.</summary>
    public void Dispose()
    {
        foreach (var stream in streams.Values) (stream as IDisposable)?.Dispose();
        streams.Clear();
    }
}
