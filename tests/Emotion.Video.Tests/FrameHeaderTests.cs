namespace Emotion.Video.Tests;

public sealed class FrameHeaderTests
{
    [Theory]
    // ffmpeg 5.1 with -loglevel level+info
    [InlineData("[Parsed_showinfo_1 @ 0x5644] [info] n:  12 pts:  6144 pts_time:0.48    pos:  48 fmt:rgb24 sar:1/1 s:640x480 i:P iskey:0 type:P", 12, 0.48, 640, 480)]
    // ffmpeg 6+ (duration fields, no pos), without the level tag
    [InlineData("[Parsed_showinfo_0 @ 0x7f] n:   0 pts:      0 pts_time:0       duration:    512 duration_time:0.04    fmt:rgb24 cl:unspecified sar:1/1 s:48x48 i:P iskey:1 type:I", 0, 0.0, 48, 48)]
    public void ParsesTheFrameLinesOfShowinfo(string line, int index, double time, int width, int height)
    {
        Assert.True(FrameHeader.TryParse(line, out var header));
        Assert.Equal(new FrameHeader(index, time, width, height), header);
    }

    [Theory]
    [InlineData("[Parsed_showinfo_1 @ 0x5644] [info] config in time_base: 1/12800, frame_rate: 25/1")]
    [InlineData("[Parsed_showinfo_1 @ 0x5644] [info] color_range:unknown color_space:unknown")]
    [InlineData("[h264 @ 0x564e] [error] Invalid NAL unit size (0 > 10082).")]
    public void IgnoresOtherLines(string line) => Assert.False(FrameHeader.TryParse(line, out _));

    [Fact]
    public void AMissingTimestampIsNan()
    {
        Assert.True(FrameHeader.TryParse("[Parsed_showinfo_1 @ 0x1] [info] n:   3 pts:NOPTS pts_time:NOPTS pos: 1 fmt:rgb24 sar:1/1 s:8x6 i:P", out var header));
        Assert.True(double.IsNaN(header.TimeSeconds));
        Assert.Equal(3, header.Index);
    }
}
