namespace Emotion.Preprocessing.Sequences;

/// <summary>One row of one step of a <see cref="LaneSchedule"/>: which window the lane gives and whether it carries the state.</summary>
/// <param name="Window">Index of the window in the list the schedule was built from.</param>
/// <param name="ContinuesState">
/// True when the window continues the lane's previous window (the next window of the same segment, without overlap:
/// <see cref="SequenceWindow.FollowsPrevious"/>), so the recurrent state that window ended with is carried over; false
/// resets the row's state to zero (first window of a lane, a new segment or video, or windows that overlap or skip frames).
/// </param>
public readonly record struct LaneSlot(int Window, bool ContinuesState);
