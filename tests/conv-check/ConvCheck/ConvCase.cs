using System.Globalization;

namespace ConvCheck;

/// <summary>One conv2d: input [N, Cin, H, W], weight [Cout, Cin, K, K], bias [Cout], square stride and padding.</summary>
internal sealed record ConvCase(string Name, string Group, int N, int Cin, int Cout, int H, int W, int K, int Stride, int Pad)
{
    public int OutH => (H + 2 * Pad - K) / Stride + 1;

    public int OutW => (W + 2 * Pad - K) / Stride + 1;

    public long[] InputShape => [N, Cin, H, W];

    public long[] WeightShape => [Cout, Cin, K, K];

    public long[] OutputShape => [N, Cout, OutH, OutW];

    /// <summary>Multiply-adds of forward, backward-data and backward-weights together, times 2.</summary>
    public double Flops => 3.0 * 2 * N * Cout * OutH * OutW * Cin * K * K;

    public const string Header = "name\tgroup\tn\tcin\tcout\th\tw\tk\tstride\tpad";

    public string ToTsv() => string.Join('\t', Name, Group, N, Cin, Cout, H, W, K, Stride, Pad);

    public static ConvCase Parse(string line)
    {
        var f = line.Split('\t');
        int I(int i) => int.Parse(f[i], CultureInfo.InvariantCulture);
        return new ConvCase(f[0], f[1], I(2), I(3), I(4), I(5), I(6), I(7), I(8), I(9));
    }

    /// <summary>
    /// The cases: the tiny Grad-CAM test network (where the wrong gradients were reported), a grid of 3x3 convolutions
    /// (batch 1-32, channels 3-256, sizes 7-112, stride 1 and 2), and the layers of ResNet-18 at 112 px, and of ResNet-18,
    /// ResNet-50 and VGG-16 at 32 px (batch 6 = 2 clips x 3 frames, as in ModelCombinationTests), where the crashes were reported.
    /// </summary>
    public static IReadOnlyList<ConvCase> All()
    {
        var list = new List<ConvCase>();
        void Add(string group, string name, int n, int cin, int cout, int size, int stride, int k = 3, int pad = -1) =>
            list.Add(new ConvCase($"{group}/{name}", group, n, cin, cout, size, size, k, stride, pad < 0 ? k / 2 : pad));

        Add("tinycam", "conv1", 6, 3, 4, 12, 1);
        Add("tinycam", "conv2", 6, 4, 5, 12, 2);

        Add("grid", "b1_c3-16_7_s1", 1, 3, 16, 7, 1);
        Add("grid", "b2_c8-8_7_s2", 2, 8, 8, 7, 2);
        Add("grid", "b1_c3-64_112_s1", 1, 3, 64, 112, 1);
        Add("grid", "b1_c3-64_112_s2", 1, 3, 64, 112, 2);
        Add("grid", "b8_c3-32_56_s1", 8, 3, 32, 56, 1);
        Add("grid", "b32_c3-16_32_s1", 32, 3, 16, 32, 1);
        Add("grid", "b32_c16-32_32_s2", 32, 16, 32, 32, 2);
        Add("grid", "b32_c64-64_32_s1", 32, 64, 64, 32, 1);
        Add("grid", "b4_c256-256_14_s1", 4, 256, 256, 14, 1);
        Add("grid", "b1_c256-256_14_s2", 1, 256, 256, 14, 2);
        Add("grid", "b16_c128-256_7_s1", 16, 128, 256, 7, 1);
        Add("grid", "b3_c5-7_9_s2", 3, 5, 7, 9, 2);

        // ResNet-18 at 112 px: 7x7 stem to 56, max-pool to 28, then the 3x3 convolutions of each stage.
        Add("resnet18@112", "conv1_7x7", 6, 3, 64, 112, 2, k: 7);
        Add("resnet18@112", "layer1", 6, 64, 64, 28, 1);
        Add("resnet18@112", "layer2.0.conv1", 6, 64, 128, 28, 2);
        Add("resnet18@112", "layer2", 6, 128, 128, 14, 1);
        Add("resnet18@112", "layer3.0.conv1", 6, 128, 256, 14, 2);
        Add("resnet18@112", "layer3", 6, 256, 256, 7, 1);
        Add("resnet18@112", "layer4.0.conv1", 6, 256, 512, 7, 2);
        Add("resnet18@112", "layer4", 6, 512, 512, 4, 1);

        // ResNet-18 at 32 px: stem to 16, max-pool to 8; layer4 runs at 1x1.
        Add("resnet18@32", "conv1_7x7", 6, 3, 64, 32, 2, k: 7);
        Add("resnet18@32", "layer1", 6, 64, 64, 8, 1);
        Add("resnet18@32", "layer2.0.conv1", 6, 64, 128, 8, 2);
        Add("resnet18@32", "layer2", 6, 128, 128, 4, 1);
        Add("resnet18@32", "layer3.0.conv1", 6, 128, 256, 4, 2);
        Add("resnet18@32", "layer3", 6, 256, 256, 2, 1);
        Add("resnet18@32", "layer4.0.conv1", 6, 256, 512, 2, 2);
        Add("resnet18@32", "layer4", 6, 512, 512, 1, 1);

        // ResNet-50 (torchvision v1.5: stride on the 3x3) at 32 px: the bottleneck's 1x1 and 3x3 convolutions and the
        // strided 1x1 downsamples.
        Add("resnet50@32", "layer1.0.conv1_1x1", 6, 64, 64, 8, 1, k: 1);
        Add("resnet50@32", "layer1.0.conv3_1x1", 6, 64, 256, 8, 1, k: 1);
        Add("resnet50@32", "layer2.0.conv2_s2", 6, 128, 128, 8, 2);
        Add("resnet50@32", "layer2.0.downsample_1x1_s2", 6, 256, 512, 8, 2, k: 1);
        Add("resnet50@32", "layer3.0.conv2_s2", 6, 256, 256, 4, 2);
        Add("resnet50@32", "layer3.0.downsample_1x1_s2", 6, 512, 1024, 4, 2, k: 1);
        Add("resnet50@32", "layer4.0.conv2_s2", 6, 512, 512, 2, 2);
        Add("resnet50@32", "layer4.0.downsample_1x1_s2", 6, 1024, 2048, 2, 2, k: 1);
        Add("resnet50@32", "layer4.1.conv1_1x1", 6, 2048, 512, 1, 1, k: 1);
        Add("resnet50@32", "layer4.1.conv2", 6, 512, 512, 1, 1);

        // VGG-16 at 32 px: the 3x3 convolutions of its five blocks.
        Add("vgg16@32", "block1.a", 6, 3, 64, 32, 1);
        Add("vgg16@32", "block1.b", 6, 64, 64, 32, 1);
        Add("vgg16@32", "block2.a", 6, 64, 128, 16, 1);
        Add("vgg16@32", "block2.b", 6, 128, 128, 16, 1);
        Add("vgg16@32", "block3.a", 6, 128, 256, 8, 1);
        Add("vgg16@32", "block3.b", 6, 256, 256, 8, 1);
        Add("vgg16@32", "block4.a", 6, 256, 512, 4, 1);
        Add("vgg16@32", "block4.b", 6, 512, 512, 4, 1);
        Add("vgg16@32", "block5", 6, 512, 512, 2, 1);
        return list;
    }
}
