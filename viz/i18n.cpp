// viz/i18n.cpp - the English -> Chinese table of the app's labels and the current UI
// language (viz/i18n.h); the panels' long formula tooltips are the second half of the table,
// in viz/i18n_formulas.cpp. A label missing from both shows in English; formulas, op names
// (view, transpose, contiguous()) and code identifiers stay English on purpose.
// tests/viz/test_viz_state_i18n.cpp checks every entry. Not here: lesson texts (README.zh.md).
#include "viz/i18n.h"

#include <string_view>
#include <unordered_map>

namespace sl::viz {

namespace {

UiLang g_lang = UiLang::en;

// English label -> Chinese label. Terms follow the seed article: 通道混洗 (channel
// shuffle), 分组卷积 (group convolution), 深度卷积 (depthwise convolution); 步幅 is a
// tensor's stride, 步长 a convolution's. A printf format keeps its conversions in order.
const std::unordered_map<std::string_view, const char*>& zh_table() {
  static const std::unordered_map<std::string_view, const char*> table = {
      {"Shuffle", "通道混洗"},
      {"Blocks", "模块"},
      {"Guidelines", "设计准则"},
      {"Train", "训练"},
      {"Lessons", "课程"},
      {"saved", "已保存"},
      {"Light theme", "浅色主题"},
      {"Dark theme", "深色主题"},
      {"Help", "帮助"},
      {"Save PNG", "保存 PNG"},
      {"how channel shuffle works, and why ShuffleNet is fast",
       "通道混洗如何工作，ShuffleNet 为何快"},
      {"Save this view as a PNG in the current directory", "把当前画面保存为 PNG，放在当前目录"},
      {"Keyboard and mouse", "键盘和鼠标"},
      {"Settings and layout are kept in ~/.config/shufflelab/",
       "设置和布局保存在 ~/.config/shufflelab/"},
      {"Space", "空格"},
      {"play / pause the animation", "播放 / 暂停动画"},
      {"previous / next step (animates backward or forward)",
       "上一步 / 下一步（向后或向前播放动画）"},
      {"first / last step", "第一步 / 最后一步"},
      {"show / hide this help", "显示 / 隐藏本帮助"},
      {"quit (settings are saved)", "退出（设置会保存）"},
      {"click a channel", "点击一个通道"},
      {"follow it through every step", "在每一步中跟踪它"},
      {"drag the scrub bar", "拖动进度条"},
      {"any point between two steps", "停在两步之间的任意位置"},
      {"hover (?)", "悬停 (?)"},
      {"the formula behind a number", "查看数字背后的公式"},
      {"No CJK font found (scripts/setup installs fonts-wqy-microhei): showing English.",
       "未找到中文字体（scripts/setup 会安装 fonts-wqy-microhei）：显示英文。"},
      {"Tensor", "张量"},
      {"Article example", "文章示例"},
      {"The article's worked example: x of shape [N, C, H, W] = [2, 4, 2, 2], shuffled with G = "
       "2.\nThe same default as `shufflelab shuffle` and lesson 01.",
       "文章中的示例：x 的形状 [N, C, H, W] = [2, 4, 2, 2]，以 G = 2 混洗。\n与 `shufflelab "
       "shuffle` 和第 01 课的默认值相同。"},
      {"%d channels", "%d 个通道"},
      {"C: channels of x. A ShuffleNet stage has C in the hundreds; 2..64 here, so that each "
       "channel stays visible.",
       "C：x 的通道数。ShuffleNet 的一个 stage 有数百个通道；这里取 2..64，让每个通道都看得见。"},
      {"G: groups of the group convolution. Only divisors of C are offered: each group holds C/G "
       "channels.",
       "G：分组卷积的组数。只提供 C 的约数：每组有 C/G 个通道。"},
      {"Spatial size H x W: each channel holds H·W floats, stored next to each other, so a channel "
       "moves as one run of H·W floats.",
       "空间尺寸 H x W：每个通道有 H·W 个相邻存放的浮点数，所以一个通道作为一段连续的 H·W "
       "个浮点数整体移动。"},
      {"1 sample", "1 个样本"},
      {"N: batch size. Samples never mix: each sample's channels are shuffled on their own.",
       "N：批大小。样本之间从不混合：每个样本的通道各自混洗。"},
      {"numel", "元素数"},
      {"floats", "个浮点数"},
      {"Playback", "播放"},
      {"speed", "速度"},
      {"%.2f steps/s", "%.2f 步/秒"},
      {"Animation speed in steps per second. Space plays or pauses; the arrow keys step.",
       "动画速度，单位为步/秒。空格键播放或暂停；方向键单步。"},
      {"stop at the view that fails", "停在失败的 view"},
      {"Adds a stop between steps 2 and 3: the last view tried on t without contiguous(), and the "
       "library's own error message.",
       "在第 2 步和第 3 步之间加一站：不调用 contiguous() 直接在 t 上做最后的 "
       "view，并显示库自己的错误信息。"},
      {"input", "输入"},
      {"copies", "复制"},
      {"no copy", "不复制"},
      {"works", "成功"},
      {"error", "出错"},
      {"copy as", "复制为"},
      {"copied the steps as a Markdown table", "已把各步复制为 Markdown 表格"},
      {"copied the steps as CSV", "已把各步复制为 CSV"},
      {"Followed channel", "跟踪的通道"},
      {"Click any channel to follow it.", "点击任意通道来跟踪它。"},
      {"stop", "停止"},
      {"channel %d of sample %d", "通道 %d（样本 %d）"},
      {"group %d, #%d of %d", "第 %d 组，组内第 %d 个（共 %d 个）"},
      {"index: where the channel sits in the step's shape: [c] for [N, C, H, W], [row][col] for "
       "the grid of channel axes. slot: which run of H·W floats of which buffer (x's or y's) holds "
       "it; its floats start at offset (n·C + slot)·H·W.",
       "index：通道在这一步的形状中的位置：[N, C, H, W] 中为 [c]，通道轴构成的网格中为 "
       "[行][列]。slot：哪个缓冲区（x 的或 y 的）的第几段 H·W 个浮点数存放它；它的浮点数从偏移 "
       "(n·C + slot)·H·W 开始。"},
      {"step", "步"},
      {"index", "index"},
      {"slot", "slot"},
      {"Result", "结果"},
      {"order[j] = input channel at output channel j = (j mod G)·C/G + ⌊j/G⌋, the same in every "
       "sample",
       "order[j] = 输出通道 j 上的输入通道 = (j mod G)·C/G + ⌊j/G⌋，每个样本都相同"},
      {"✓ equals sl::channel_shuffle(x, G)", "✓ 与 sl::channel_shuffle(x, G) 相同"},
      {"✗ differs from sl::channel_shuffle", "✗ 与 sl::channel_shuffle 不同"},
      {"tensor", "张量"},
      {"as its shape reads", "按形状读取"},
      {"C in a row", "C 排成一行"},
      {"G x C/G grid", "G x C/G 网格"},
      {"C/G x G grid", "C/G x G 网格"},
      {"sample %d%s", "样本 %d%s"},
      {", folded", "，折行"},
      {"channel %d of sample %d (group %d, #%d of %d)\nvalue %d in all %d floats\nindex at step "
       "%d: [%d][%d] of the grid\nbuffer offset = (n·C + slot)·H·W = (%d·%d + %d)·%d = %d",
       "通道 %d（样本 %d，第 %d 组，组内第 %d 个，共 %d 个）\n值为 %d，共 %d 个浮点数\n第 %d "
       "步的位置：网格的 [%d][%d]\n缓冲区偏移 = (n·C + slot)·H·W = (%d·%d + %d)·%d = %d"},
      {"%d floats", "%d 个浮点数"},
      {"x's buffer", "x 的缓冲区"},
      {"new: %d B", "新分配：%d B"},
      {"is x's: %d B", "即 x 的：%d B"},
      {"y's buffer", "y 的缓冲区"},
      {"t reads the channel runs in this order:", "t 按此顺序读取各通道段："},
      {"%s buffer, floats %d..%d: channel %d of sample %d\noffset = (n·C + slot)·H·W = (%d·%d + "
       "%d)·%d = %d\nthe transposed view reads it %s (read %d of %d)",
       "%s 的缓冲区，浮点数 %d..%d：通道 %d（样本 %d）\n偏移 = (n·C + slot)·H·W = (%d·%d + %d)·%d "
       "= %d\n转置后的视图%s读取它（第 %d 次读取，共 %d 次）"},
      {"in place", "原地"},
      {"from x's buffer", "从 x 的缓冲区"},
      {"ShuffleNet V1, Fig. 1: two stacked group convolutions",
       "ShuffleNet V1 图 1：两个堆叠的分组卷积"},
      {"GConv(G) splits the C channels into G groups and convolves each group on its own: output "
       "channel o reads only the C/G inputs of its group, so the connectivity is block-diagonal. "
       "Stacked without a shuffle, a group never sees the others (a). With a channel shuffle in "
       "between, each group of GConv2 takes channels from min(G, C/G) groups of GConv1 (c).",
       "GConv(G) 把 C 个通道分成 G 组，每组单独卷积：输出通道 o 只读取本组的 C/G "
       "个输入，所以连接是块对角的。不混洗直接堆叠时，一组永远看不到其他组 "
       "(a)。中间加入通道混洗后，GConv2 的每一组都从 GConv1 的 min(G, C/G) 个组取通道 (c)。"},
      {"outputs see %zu..%zu of %d groups", "输出看到 %zu..%zu 组（共 %d 组）"},
      {"(c) with channel shuffle", "(c) 加通道混洗"},
      {"(a) no shuffle", "(a) 不混洗"},
      {"(c) shuffled", "(c) 混洗"},
      {"(a) plain", "(a) 不混洗"},
      {"each output sees %zu of %d groups", "每个输出看到 %zu 组（共 %d 组）"},
      {"C/G < G: a group meets only %d", "C/G < G：一组只能遇到 %d 组"},
      {"groups never mix", "各组从不交流"},
      {"shuffle", "混洗"},
      {"Inverse: shuffle(G), then shuffle(C/G)", "逆运算：先 shuffle(G)，再 shuffle(C/G)"},
      {"Inverse", "逆运算"},
      {"Channel shuffle with G groups reads the channels as a G x C/G grid and transposes it: "
       "output j = i_inner·G + i_group takes input i = i_group·C/G + i_inner. Shuffling that with "
       "C/G groups transposes the C/G x G grid back, so shuffle(shuffle(x, G), C/G) = x. Rows here "
       "come from sl::channel_shuffle.",
       "G 组的通道混洗把通道看成 G x C/G 网格并转置：输出 j = i_inner·G + i_group 取输入 i = "
       "i_group·C/G + i_inner。再以 C/G 组混洗，就把 C/G x G 网格转置回来，所以 shuffle(shuffle(x, "
       "G), C/G) = x。这里的各行来自 sl::channel_shuffle。"},
      {"✓ back to 0, 1, 2, ...: the two shuffles cancel", "✓ 回到 0, 1, 2, ...：两次混洗相互抵消"},
      {"✗ not the identity", "✗ 不是恒等变换"},
      {"t = %.2f: drag to any point between steps", "t = %.2f：拖到两步之间的任意位置"},
      {"view fails", "view 失败"},
      {"view only computes new strides: merging dims 1 and 2 into C needs stride[1] = "
       "stride[2]·size[2], here %lld ≠ %lld·%lld. contiguous() copies t into its own order first; "
       "then the merge is a plain view.",
       "view 只计算新的步幅：把第 1、2 维合并成 C 需要 stride[1] = stride[2]·size[2]，这里 %lld ≠ "
       "%lld·%lld。contiguous() 先把 t 按自身顺序复制一遍，之后合并只是普通的 view。"},
      {"Between 2 and 3  ·  view without contiguous()",
       "第 2 与第 3 步之间  ·  不调用 contiguous() 的 view"},
      {"VIEW FAILS", "VIEW 失败"},
      {"VIEW WORKS", "VIEW 成功"},
      {"Skip contiguous() and the last view, tried straight on t, fails:",
       "跳过 contiguous()，直接在 t 上做最后的 view，失败："},
      {"Here t is already contiguous (G = 1 or G = C: the transpose swapped a dim of size 1), so "
       "the view works without a copy.",
       "这里 t 已经是连续的（G = 1 或 G = C：转置交换了一个大小为 1 的维度），所以 view "
       "不复制也能成功。"},
      {"Step %d", "第 %d 步"},
      {"DATA MOVES: %lld bytes copied", "数据移动：复制了 %lld 字节"},
      {"THE INPUT", "输入"},
      {"NO DATA MOVES", "数据不移动"},
      {"With G = 1 or G = C one of the swapped dims has size 1, so t is already contiguous: "
       "contiguous() returns it as is and nothing moves. The shuffle is the identity.",
       "G = 1 或 G = C 时，交换的维度之一大小为 1，所以 t 已经是连续的：contiguous() "
       "原样返回，没有数据移动。此时混洗是恒等变换。"},
      {"The numbered hops on x's buffer are the order t reads it in.",
       "x 的缓冲区上带编号的跳转就是 t 读取它的顺序。"},
      {"y holds the floats in the order the hops of step 2 read them.",
       "y 按第 2 步的跳转顺序存放这些浮点数。"},
      {"bytes copied by this step, measured by sl::copy_stats() around the call. contiguous() "
       "copies every element once: N·C·H·W·4 bytes = %d·%d·%d·%d·4 = %d. Views copy nothing.",
       "这一步复制的字节数，由调用前后的 sl::copy_stats() 测得。contiguous() "
       "把每个元素复制一次：N·C·H·W·4 字节 = %d·%d·%d·%d·4 = %d。视图不复制任何数据。"},
      {"x holds N·C·H·W floats; every element of channel c is the value c, coloured by its group.",
       "x 有 N·C·H·W 个浮点数；通道 c 的每个元素的值都是 c，颜色表示它所在的组。"},
      {"view splits the channel axis into G groups of C/G channels: the same buffer, read with a "
       "new shape and new strides.",
       "view 把通道轴拆成 G 组、每组 C/G 个通道：同一个缓冲区，用新的形状和新的步幅读取。"},
      {"transpose(1, 2) swaps the group axis and the channel-in-group axis: only shape and strides "
       "change. The buffer is untouched, so the tensor is no longer contiguous.",
       "transpose(1, 2) 交换组轴和组内通道轴：只改变形状和步幅。缓冲区不动，所以张量不再连续。"},
      {"contiguous() allocates a new buffer and copies every element into the transposed order: "
       "the only step where data moves.",
       "contiguous() 分配新的缓冲区，把每个元素按转置后的顺序复制过去：这是唯一移动数据的一步。"},
      {"view({N, -1, H, W}) merges the two axes back into C: -1 asks view to infer that size from "
       "the others, numel / (N·H·W) = C. The channels of the groups are now interleaved.",
       "view({N, -1, H, W}) 把两个轴合并回 C：-1 让 view 从其他维度推断这一维的大小，numel / "
       "(N·H·W) = C。各组的通道现在交错排列。"},
      {"A contiguous tensor: stride[d] = product of the sizes after d, so [N, C, H, W] has strides "
       "(C·H·W, H·W, W, 1). Element (n, c, h, w) is at n·s0 + c·s1 + h·s2 + w·s3.",
       "连续张量：stride[d] = d 之后各维大小的乘积，所以 [N, C, H, W] 的步幅是 (C·H·W, H·W, W, "
       "1)。元素 (n, c, h, w) 位于 n·s0 + c·s1 + h·s2 + w·s3。"},
      {"view of a contiguous tensor: stride[d] = product of the sizes after d = (C·H·W, C/G·H·W, "
       "H·W, W, 1). Nothing is copied.",
       "连续张量的 view：stride[d] = d 之后各维大小的乘积 = (C·H·W, C/G·H·W, H·W, W, "
       "1)。不复制任何数据。"},
      {"transpose(1, 2) swaps stride[1] and stride[2] (highlighted). Element (n, i, j, h, w) is "
       "read at n·s0 + i·s1 + j·s2 + h·s3 + w·s4 of the same buffer: strides no longer decrease, "
       "so the tensor is not contiguous.",
       "transpose(1, 2) 交换 stride[1] 和 stride[2]（高亮）。元素 (n, i, j, h, w) 从同一缓冲区的 "
       "n·s0 + i·s1 + j·s2 + h·s3 + w·s4 处读取：步幅不再递减，所以张量不连续。"},
      {"contiguous() wrote a new buffer in the logical order, so the strides are again the "
       "products of the sizes after each dim: (C·H·W, G·H·W, H·W, W, 1).",
       "contiguous() 按逻辑顺序写了新的缓冲区，所以步幅又是各维之后大小的乘积：(C·H·W, G·H·W, H·W, "
       "W, 1)。"},
      {"view of the contiguous copy: (C·H·W, H·W, W, 1), as for the input.",
       "连续副本的 view：(C·H·W, H·W, W, 1)，与输入相同。"},
      {"shape", "形状"},
      {"strides", "步幅"},
      {"contiguous", "连续"},
      {"yes", "是"},
      {"no", "否"},
      {"contiguous = each stride equals the product of the sizes after it, i.e. the logical order "
       "is the memory order",
       "连续 = 每个步幅都等于其后各维大小的乘积，即逻辑顺序就是内存顺序"},
      {"buffer", "缓冲区"},
      {"x's", "x 的"},
      {"new", "新的"},
      {"Does this step read the buffer x was created with? Views and transposes share it; "
       "contiguous() of a non-contiguous tensor allocates a new one.",
       "这一步读的是否是创建 x 时的缓冲区？view 和 transpose 共享它；对不连续张量调用 contiguous() "
       "会分配新的缓冲区。"},
      {"copied", "复制"},
      {"Model", "模型"},
      {"family", "系列"},
      {"ShuffleNet V1 (Zhang et al. 2018): grouped 1x1 convs and channel shuffle. ShuffleNet V2 "
       "(Ma et al. 2018): channel split, plain 1x1 convs, concat and shuffle.",
       "ShuffleNet V1（Zhang 等，2018）：分组 1x1 卷积和通道混洗。ShuffleNet V2（Ma "
       "等，2018）：通道拆分、普通 1x1 卷积、拼接和混洗。"},
      {"groups", "组数"},
      {"g: groups of the 1x1 convolutions. More groups: fewer MAdds per channel, so V1 widens the "
       "stages to keep ~140M MAdds at scale 1 on ImageNet.",
       "g：1x1 卷积的组数。组越多，每个通道的 MAdds 越少，所以 V1 加宽各 stage，使 ImageNet 上 "
       "scale 1 时保持约 140M MAdds。"},
      {"scale", "缩放"},
      {"width", "宽度"},
      {"scale: stage channels = int(table · scale) (docs/models.md)",
       "缩放：stage 通道数 = int(表中值 · scale)（docs/models.md）"},
      {"width: V2's channel multiplier; stage channels from docs/models.md's table",
       "宽度：V2 的通道倍数；stage 通道数见 docs/models.md 的表"},
      {"The variant: CIFAR keeps the stem at stride 1 and has no max-pool; ImageNet is the papers' "
       "network.",
       "变体：CIFAR 的 stem 步长为 1，没有 max-pool；ImageNet 是论文中的网络。"},
      {"batch", "批大小"},
      {"N: images per forward pass. MAdds and activation MAC grow with N; weights are read once.",
       "N：每次前向传播的图像数。MAdds 和激活的 MAC 随 N 增长；权重只读一次。"},
      {"Backend", "后端"},
      {"threads", "线程"},
      {"CPU threads of the OpenMP kernels for this profile (the app's own thread is not used).",
       "这次测量中 OpenMP 内核使用的 CPU 线程数（不使用应用自己的线程）。"},
      {"Compare", "对比"},
      {"with", "对比"},
      {"A second model, profiled with the same input, batch and backend.",
       "第二个模型，用相同的输入、批大小和后端测量。"},
      {"profiling %s ...", "正在测量 %s ..."},
      {"profiled in %.2f s", "测量用时 %.2f 秒"},
      {"measure again", "重新测量"},
      {"Run the same forward passes again: a warm-up, then %d timed runs",
       "再次运行同样的前向传播：一次预热，然后计时 %d 次"},
      {"Totals of ", "总计："},
      {"params", "参数"},
      {"MAdds ", "MAdds "},
      {"MAC   ", "MAC   "},
      {"time  ", "时间  "},
      {"runs  ", "各次  "},
      {"fastest .. slowest of the timed forward passes, each the sum of its ops' times; the time "
       "above sums each op's median, so it can be below the fastest pass",
       "计时的前向传播中最快 .. "
       "最慢的一次，每次是其各算子时间之和；上面的时间是各算子中位数之和，所以可能低于最快的一次"},
      {"The slowest pass took %.1fx the fastest: the machine is busy, times may mislead.",
       "最慢的一次是最快的 %.1f 倍：机器繁忙，时间可能不准。"},
      {"share = time of the ops with 0 MAdds / time of all ops (sums of medians). The V2 paper's "
       "Fig. 2 measured the same on a GPU and an ARM phone; this is this machine's backend.",
       "占比 = MAdds 为 0 的算子时间 / 全部算子时间（中位数之和）。V2 论文图 2 在 GPU 和 ARM "
       "手机上测了同样的量；这里是本机的后端。"},
      {"Drawn from %s (g = 1), which has this unit; no ReLU after the depthwise conv, as "
       "ShuffleNet builds it.",
       "取自 %s（g = 1），它有这种单元；与 ShuffleNet 的做法一样，深度卷积之后没有 ReLU。"},
      {"The seed article's FLOPs of one unit with input h x w x c and bottleneck m (MAdds, batch "
       "n):",
       "原文中一个单元的 FLOPs，输入 h x w x c，瓶颈通道 m（MAdds，批大小 n）："},
      {"%s unit %s:", "%s 单元 %s："},
      {"read from nn/cost's output shapes of the unit's convolutions: gconv1 gives [n, m, h, w], "
       "gconv2 gives [n, c, h, w]; g is the model's groups",
       "取自 nn/cost 记录的该单元各卷积的输出形状：gconv1 给出 [n, m, h, w]，gconv2 给出 [n, c, h, "
       "w]；g 是模型的组数"},
      {"nn/cost measured %s's convolutions (gconv1 + dwconv + gconv2):",
       "nn/cost 测得 %s 的卷积（gconv1 + dwconv + gconv2）："},
      {"gconv1 + dwconv + gconv2 multiply-adds, each N·H_out·W_out·C_out·(C_in/G)·K·K, as recorded "
       "during the real forward pass",
       "gconv1 + dwconv + gconv2 的乘加数，每个为 "
       "N·H_out·W_out·C_out·(C_in/G)·K·K，在真实的前向传播中记录"},
      {"= the ShuffleNet formula, to the multiply-add", "= ShuffleNet 公式，精确到每一次乘加"},
      {"differs from the ShuffleNet formula", "与 ShuffleNet 公式不同"},
      {"At the same c and m, the ShuffleNet unit needs %s of ResNet's and %s of ResNeXt's MAdds, "
       "so at a fixed budget it can afford wider feature maps.",
       "c 和 m 相同时，ShuffleNet 单元只需 ResNet 的 %s、ResNeXt 的 %s 的 "
       "MAdds，所以在固定预算下能用更宽的特征图。"},
      {"ResNet hw(2cm + 9m²), ResNeXt hw(2cm + 9m²/g) and ShuffleNet hw(2cm/g + 9m) describe "
       "V1-style bottleneck units: pick a V1 model, or compare with one, to see them live.",
       "ResNet hw(2cm + 9m²)、ResNeXt hw(2cm + 9m²/g) 和 ShuffleNet hw(2cm/g + 9m) 描述的是 V1 "
       "式的瓶颈单元：选择一个 V1 模型，或与之对比，即可实时查看。"},
      {"ShuffleNet V2 basic unit, ", "ShuffleNet V2 基本单元，"},
      {"b = c/2 channels go through the right branch (1x1 conv b->b, 3x3 depthwise, 1x1 conv "
       "b->b); the split half passes through with 0 MAdds but its concat and shuffle still move "
       "memory",
       "b = c/2 个通道走右分支（1x1 卷积 b->b、3x3 深度卷积、1x1 卷积 b->b）；拆出的另一半以 0 "
       "MAdds 直接通过，但它的拼接和混洗仍要搬运内存"},
      {"Tick \"Compare with\" on the left to profile a second model beside this one.",
       "勾选左侧的“对比”，测量第二个模型放在旁边。"},
      {"difference = time(b) - time(a), each the sum of its ops' medians on the same backend, "
       "input and batch",
       "差 = time(b) - time(a)，各为其算子中位数之和，后端、输入和批大小相同"},
      {"copied the comparison as CSV", "已把对比复制为 CSV"},
      {"copied the comparison as a Markdown table", "已把对比复制为 Markdown 表格"},
      {"time ms", "时间 ms"},
      {"runs ms", "各次 ms"},
      {"per stage", "各 stage"},
      {"kind %s, category %s", "类型 %s，类别 %s"},
      {"output %s", "输出 %s"},
      {"params %s   MAdds %s   MAC %s", "参数 %s   MAdds %s   MAC %s"},
      {"time %s ms (median), %s .. %s over the timed runs",
       "时间 %s ms（中位数），计时各次 %s .. %s"},
      {"time: device synchronized before and after the op; median of the timed runs",
       "时间：算子前后同步设备；取计时各次的中位数"},
      {"click: highlight its row in the table", "点击：在表中高亮这一行"},
      {"layers", "层"},
      {"blocks", "模块"},
      {"stages", "stage"},
      {"copied the table as CSV", "已把表格复制为 CSV"},
      {"copied the table as a Markdown table", "已把表格复制为 Markdown 表格"},
      {"Click a header to sort; click a row to select it (and its unit in the figure). Rows in "
       "orange do no MAdds but take measurable time.",
       "点击表头排序；点击一行选中它（以及图中的单元）。橙色的行没有 MAdds，却有可测的时间。"},
      {"total   %s MAdds   %s MAC   %s ms   %s params",
       "总计   %s MAdds   %s MAC   %s ms   %s 参数"},
      {"Sums over every layer of the forward pass: the same numbers as `shufflelab profile`.",
       "前向传播中所有层的总和：与 `shufflelab profile` 的数字相同。"},
      {"Shares of the network's MAdds, MAC and time by op category, like the V2 paper's Fig. 2",
       "按算子类别统计网络的 MAdds、MAC 和时间占比，如 V2 论文图 2"},
      {"share = sum over the category's ops / sum over all ops; time: sums of each op's median",
       "占比 = 该类别算子之和 / 全部算子之和；时间：各算子中位数之和"},
      {"Network", "网络"},
      {"By category", "按类别"},
      {"FLOPs formulas", "FLOPs 公式"},
      {"b's number divided by a's", "b 的数值除以 a 的"},
      {"stage", "stage"},
      {"time(b) - time(a): negative (green) where b is faster",
       "time(b) - time(a)：b 更快时为负（绿色）"},
      {"name", "名称"},
      {"kind", "类型"},
      {"params (?)", "参数 (?)"},
      {"output", "输出"},
      {"nn/cost's short label of the op", "nn/cost 给算子的简短标签"},
      {"share of MAdds = row MAdds / network MAdds", "MAdds 占比 = 该行 MAdds / 网络 MAdds"},
      {"share of MAC = row MAC / network MAC", "MAC 占比 = 该行 MAC / 网络 MAC"},
      {"share of time = row time / network time (sums of medians); orange: 0 MAdds but measurable "
       "time",
       "时间占比 = 该行时间 / 网络时间（中位数之和）；橙色：MAdds 为 0 但有可测的时间"},
      {"output shape N x C x H x W", "输出形状 N x C x H x W"},
      {"category", "类别"},
      {"ops", "算子数"},
      {"layers of this category in the network", "网络中这一类别的层数"},
      {"category MAdds / network MAdds", "类别 MAdds / 网络 MAdds"},
      {"category time / network time", "类别时间 / 网络时间"},
      {"Experiment", "实验"},
      {"G1  equal channel widths", "G1  输入输出通道相等"},
      {"G2  group convolution", "G2  分组卷积"},
      {"G3  fragmentation", "G3  网络碎片化"},
      {"G4  element-wise ops", "G4  逐元素操作"},
      {"Zero-copy shuffle", "零复制混洗"},
      {"%s: %s (paper Table %d)", "%s：%s（论文表 %d）"},
      {"threads: all cores", "线程：全部核心"},
      {"threads: %d", "线程：%d"},
      {"batch: %d", "批大小：%d"},
      {"Quick", "快速"},
      {"Quick: the first width column, median of 9 passes after 2 warm-ups (seconds).\nPrecise: "
       "all three width columns (x1, x2, x4 or three c), median of 21 passes after 3 warm-ups (a "
       "minute or two).",
       "快速：只测第一列宽度，2 次预热后 9 次的中位数（几秒）。\n精确：全部三列宽度（x1、x2、x4 "
       "或三个 c），3 次预热后 21 次的中位数（一两分钟）。"},
      {"Precise", "精确"},
      {"Run ", "运行 "},
      {"Run all", "全部运行"},
      {"Cancel", "取消"},
      {"idle", "空闲"},
      {"last run: %s", "上次运行：%s"},
      {"The paper's setup", "论文的设置"},
      {"GPU: GTX 1080Ti, cuDNN 7, batches/s. ARM: Snapdragon 810, one thread, images/s. Input 56 x "
       "56, every block stacked 10 times. Here the CPU uses the ARM column's channel counts, CUDA "
       "the GPU's.",
       "GPU：GTX 1080Ti，cuDNN 7，批/秒。ARM：骁龙 810，单线程，图像/秒。输入 56 x "
       "56，每个模块堆叠 10 次。这里 CPU 使用 ARM 列的通道数，CUDA 使用 GPU 列的。"},
      {"Timings are medians and move with machine load: compare trends, not values.",
       "时间是中位数，会随机器负载变化：比较趋势，而不是数值。"},
      {"config", "配置"},
      {"ours", "我们的"},
      {"elem.", "逐元素"},
      {"holds", "成立"},
      {"differs", "不同"},
      {"ours / first row and the paper's / first row each read as slower (< 0.97), the same "
       "(within 3%) or faster (> 1.03); the trend holds when both read the same",
       "我们的 / 第一行 与 论文的 / 第一行 各自判为更慢（< 0.97）、相同（3% 以内）或更快（> "
       "1.03）；两者判断相同时趋势成立"},
      {"Zero-copy shuffle: the shuffle's MAC to 0", "零复制混洗：把混洗的 MAC 降到 0"},
      {"measuring...", "测量中..."},
      {"Not measured yet: press Run.", "尚未测量：请按“运行”。"},
      {"Speed, normalised to the first row", "速度，以第一行为基准归一化"},
      {"Each bar: a row's speed divided by the first row's speed at the same width, for ours and "
       "for the paper's two columns. 'holds' over a row: ours and the paper's compare with 1 the "
       "same way.",
       "每根柱：一行的速度除以同宽度第一行的速度，分别为我们的和论文的两列。某行上方的“成立”：我们"
       "的和论文的与 1 比较的结果相同。"},
      {"c2 / c1 (log scale)", "c2 / c1（对数刻度）"},
      {"MAC against the ratio, B fixed", "MAC 随比例的变化，B 固定"},
      {"B = h*w*c1*c2 (one 1x1 conv, N = 1) is held at the 1:1 row's value. By AM-GM, c1 + c2 >= "
       "2*sqrt(c1*c2), so MAC = h*w*(c1 + c2) + c1*c2 >= 2*sqrt(h*w*B) + B/(h*w), with equality at "
       "c1 = c2.",
       "B = h*w*c1*c2（一个 1x1 卷积，N = 1）固定为 1:1 行的值。由均值不等式，c1 + c2 >= "
       "2*sqrt(c1*c2)，所以 MAC = h*w*(c1 + c2) + c1*c2 >= 2*sqrt(h*w*B) + B/(h*w)，c1 = c2 "
       "时取等号。"},
      {"Time this ratio", "测量这个比例"},
      {"bound", "下界"},
      {"MAC against the number of groups", "MAC 随组数的变化"},
      {"B = h*w*c*c/g held at the g = 1 row's value, so c = sqrt(g*B/(h*w)) grows with g, and MAC "
       "= h*w*2c + c*c/g = 2*sqrt(g*h*w*B) + B/(h*w) grows as sqrt(g).",
       "B = h*w*c*c/g 固定为 g = 1 行的值，所以 c = sqrt(g*B/(h*w)) 随 g 增长，MAC = h*w*2c + "
       "c*c/g = 2*sqrt(g*h*w*B) + B/(h*w) 按 sqrt(g) 增长。"},
      {"Time this g", "测量这个 g"},
      {"MAC per 1x1 group conv (one image)", "每个 1x1 分组卷积的 MAC（一张图像）"},
      {"measured: table rows and slider points", "实测：表中各行和滑块点"},
      {"Op calls and time per pass", "每次传播的算子调用数和时间"},
      {"ops = layer op calls per pass, counted by the pass's OpTally: 10 blocks x (fragments + 1 "
       "concat when parallel).",
       "算子数 = 每次传播的层算子调用数，由该次传播的 OpTally 计数：10 个模块 x（碎片数 + 并行时 1 "
       "次拼接）。"},
      {"Why the CPU and the GPU differ", "为什么 CPU 和 GPU 不同"},
      {"Element-wise share", "逐元素操作占比"},
      {"time: relu + add op times / all op times in one pass, each op timed on its own, median "
       "over passes. MAC: relu reads and writes each element (2 per element), add reads two and "
       "writes one (3).",
       "时间：一次传播中 relu + add 的时间 / "
       "全部算子时间，每个算子单独计时，取各次的中位数。MAC：relu 每个元素读写各一次（每元素 "
       "2），add 读两个写一个（3）。"},
      {"share of time", "时间占比"},
      {"share of MAC (multiply-adds are the same in every row)", "MAC 占比（每行的乘加数相同）"},
      {"10 units, input %s per unit, shuffle groups %lld",
       "10 个单元，每个单元输入 %s，混洗组数 %lld"},
      {"time per pass", "每次传播的时间"},
      {"channel-moving MAC (shuffle + concat)", "搬运通道的 MAC（混洗 + 拼接）"},
      {"How", "原理"},
      {"paper ARM", "论文 ARM"},
      {"paper GPU", "论文 GPU"},
      {"ours (CUDA)", "我们的 (CUDA)"},
      {"ours (CPU)", "我们的 (CPU)"},
      {"AM-GM bound", "均值不等式下界"},
      {"measured ms (right axis)", "实测 ms（右轴）"},
      {"Block: 1x1 conv c1 -> c2, then 1x1 conv c2 -> c1, stacked 10 times on 56 x 56. The ratio "
       "c1:c2 changes while the multiply-adds stay (nearly) the same: MAC is smallest when c1 = "
       "c2.",
       "模块：1x1 卷积 c1 -> c2，再 1x1 卷积 c2 -> c1，在 56 x 56 上堆叠 10 次。c1:c2 "
       "的比例变化而乘加数（几乎）不变：c1 = c2 时 MAC 最小。"},
      {"Block: one 1x1 group convolution c -> c with g groups, stacked 10 times. c grows with g so "
       "that the multiply-adds h*w*c*c/g stay the same, and MAC = h*w*2c + c*c/g grows.",
       "模块：一个 g 组的 1x1 分组卷积 c -> c，堆叠 10 次。c 随 g 增长，使乘加数 h*w*c*c/g "
       "保持不变，而 MAC = h*w*2c + c*c/g 增长。"},
      {"1, 2 or 4 1x1 convolutions per block, in series (c' = c/sqrt(n) each) or in parallel (c -> "
       "c/n each, then concat), stacked 10 times: the same multiply-adds cut into more, smaller op "
       "calls.",
       "每个模块 1、2 或 4 个 1x1 卷积，串联（每个 c' = c/sqrt(n)）或并联（每个 c -> "
       "c/n，再拼接），堆叠 10 次：同样的乘加数被切成更多、更小的算子调用。"},
      {"ResNet bottleneck (1x1 c -> c/4, 3x3 c/4 -> c/4, 1x1 c/4 -> c) with its ReLUs and the "
       "shortcut add switched on and off, stacked 10 times: element-wise ops have no multiply-adds "
       "but real MAC.",
       "ResNet 瓶颈模块（1x1 c -> c/4，3x3 c/4 -> c/4，1x1 c/4 -> c），打开或关闭其 ReLU "
       "和捷径相加，堆叠 10 次：逐元素操作没有乘加，却有实实在在的 MAC。"},
      {"A ShuffleNet V2 unit (split, branch, concat, shuffle) followed by the next 1x1 convolution "
       "that reads the whole shuffled tensor, 10 units. Three ways: the plain shuffle copy; (a) "
       "the shuffle's permutation folded into the 1x1 weights; (b) the shuffled tensor never "
       "built: the 1x1 conv reads the two halves where they are, one matmul per half, "
       "accumulating.",
       "ShuffleNet V2 单元（拆分、分支、拼接、混洗）后接读取整个混洗张量的下一个 1x1 卷积，共 10 "
       "个单元。三种做法：普通的混洗复制；(a) 把混洗的置换折叠进 1x1 权重；(b) "
       "根本不构造混洗后的张量：1x1 卷积在原处读取两半，每半一次 matmul，累加。"},
      {"Reload", "重新加载"},
      {"No lessons found. The app looks in %s; set SHUFFLELAB_LESSONS_DIR to the lessons/ folder "
       "of a ShuffleLab checkout.",
       "没有找到课程。应用在 %s 中查找；请把 SHUFFLELAB_LESSONS_DIR 设为 ShuffleLab 仓库的 "
       "lessons/ 文件夹。"},
      {"%s, %s: %.3f\nspeed / speed of the first row (same width); > 1 is faster%s",
       "%s，%s：%.3f\n速度 / 同宽度第一行的速度；> 1 表示更快%s"},
      {"c1:c2 = %s: median %.3f ms per pass\n(c1, c2) = (%lld, %lld), %s",
       "c1:c2 = %s：每次传播的中位数 %.3f ms\n(c1, c2) = (%lld, %lld)，%s"},
      {"c2/c1 = %.3g\nMAC = h*w*(c1 + c2) + c1*c2 = %.0f\nlower bound = 2*sqrt(h*w*B) + B/(h*w) = "
       "%.0f",
       "c2/c1 = %.3g\nMAC = h*w*(c1 + c2) + c1*c2 = %.0f\n下界 = 2*sqrt(h*w*B) + B/(h*w) = %.0f"},
      {"nn/cost's LayerCost::category", "nn/cost 的 LayerCost::category"},
      {"Shuffle with G groups: output channel j = m*G + g takes input channel i = g*(C/G) + m. A "
       "1x1 conv after it computes out[o] = sum_g sum_m W[o, m*G + g] * x[g*(C/G) + m].",
       "G 组混洗：输出通道 j = m*G + g 取输入通道 i = g*(C/G) + m。其后的 1x1 卷积计算 out[o] = "
       "sum_g sum_m W[o, m*G + g] * x[g*(C/G) + m]。"},
      {"(a) W_fold[o, g*(C/G) + m] = W[o, m*G + g], permuted once when the weights load: the conv "
       "reads x unshuffled, and the shuffle copy is gone (concat remains).",
       "(a) W_fold[o, g*(C/G) + m] = W[o, m*G + g]，在加载权重时置换一次：卷积直接读取未混洗的 "
       "x，混洗的复制没有了（拼接仍在）。"},
      {"(b) the block g of W_fold multiplies input block g, which is the left half (a view of the "
       "unit's input) or the branch output, read where they are: out = W_0 @ left, then out += W_1 "
       "@ right. Neither concat nor shuffle is copied; the price is one extra read of out per "
       "accumulating block, and matmul calls per image.",
       "(b) W_fold 的第 g 块乘以输入的第 g "
       "块，即左半（单元输入的一个视图）或分支输出，在原处读取：out = W_0 @ left，然后 out += W_1 "
       "@ right。拼接和混洗都不复制；代价是每个累加块多读一次 out，以及每张图像多次 matmul 调用。"},
      {"missing", "缺失"},
      {"program", "程序"},
      {"exercise", "练习"},
      {"passed", "通过"},
      {"failed", "失败"},
      {"not run yet", "尚未运行"},
      {"not solved yet", "尚未解答"},
      {"(not found: no check has run in this build yet)", "（未找到：这个构建还没有运行过检查）"},
      {"(it lists no test: the last ctest only listed tests)",
       "（其中没有测试：上次 ctest 只列出了测试）"},
      {"From CTest's last run: %s %s\nand make check-exercise's results in %s\nUpdate them with  "
       "ctest --preset release -L lesson  or  make check-exercise N=NN, then Reload",
       "CTest 上次运行：%s %s\n以及 make check-exercise 的结果：%s\n用  ctest --preset release -L "
       "lesson  或  make check-exercise N=NN  更新，然后点“重新加载”"},
      {"Open in %s", "在%s中打开"},
      {"The Shuffle panel with the article's example: x of shape [2, 4, 2, 2], G = 2",
       "通道混洗面板，使用文章的示例：x 的形状为 [2, 4, 2, 2]，G = 2"},
      {"The Blocks panel with ShuffleNet V1, g = 3, width 1.0, ImageNet",
       "模块面板：ShuffleNet V1，g = 3，宽度 1.0，ImageNet"},
      {"Read the READMEs, their figures and the check results again (after editing or running "
       "checks)",
       "重新读取 README、其中的图和检查结果（编辑或运行检查之后）"},
      {"This lesson has no Chinese README yet: showing English.",
       "这一课还没有中文 README：显示英文。"},
      {"%d group", "%d 组"},
      {"%d groups", "%d 组"},
      {"%d group of %d", "%d 组，每组 %d 个"},
      {"%d groups of %d", "%d 组，每组 %d 个"},
      {"Pause", "暂停"},
      {"Play", "播放"},
      {"of the measured time on %s (%s of %s ms) goes to ops that FLOPs count as free: %s. They do "
       "%s of the memory access.",
       "的实测时间（%s 上 %s / %s ms）花在 FLOPs 视为免费的算子上：%s。它们占内存访问的 %s。"},
      {"ShuffleNet V1 Fig. 2 (a): bottleneck unit with depthwise conv",
       "ShuffleNet V1 图 2 (a)：带深度卷积的瓶颈单元"},
      {"ShuffleNet V1 Fig. 2 (b): ShuffleNet unit, stride 1",
       "ShuffleNet V1 图 2 (b)：ShuffleNet 单元，步长 1"},
      {"ShuffleNet V1 Fig. 2 (c): ShuffleNet unit, stride 2",
       "ShuffleNet V1 图 2 (c)：ShuffleNet 单元，步长 2"},
      {"ShuffleNet V2 Fig. 3 (c): basic unit", "ShuffleNet V2 图 3 (c)：基本单元"},
      {"ShuffleNet V2 Fig. 3 (d): unit for spatial down-sampling",
       "ShuffleNet V2 图 3 (d)：空间下采样单元"},
      {"equal channel width minimises MAC", "输入输出通道数相等时 MAC 最小"},
      {"excessive group convolution increases MAC", "过多的分组卷积会增加 MAC"},
      {"network fragmentation reduces parallelism", "网络碎片化会降低并行度"},
      {"element-wise operations are not negligible", "逐元素操作不可忽略"},
      // the Train panel (viz/train/)
      {"Predictions", "预测"},
      {"Confusion matrix", "混淆矩阵"},
      {"Feature maps", "特征图"},
      {"Accuracy", "准确率"},
      {"CIFAR-10 folder", "CIFAR-10 数据文件夹"},
      {"CPU threads", "CPU 线程数"},
      {"Continue", "继续训练"},
      {"ETA", "预计剩余"},
      {"Evaluating the weights on the test set...", "正在测试集上评估权重……"},
      {"Learning rate", "学习率"},
      {"No CIFAR-10 found. Looked for data_batch_1.bin and test_batch.bin in:",
       "未找到 CIFAR-10。在以下位置查找过 data_batch_1.bin 和 test_batch.bin："},
      {"Open", "打开"},
      {"Predictions appear after the first epoch of a run, or when a checkpoint is opened.",
       "训练完第一个 epoch 或打开检查点后，这里显示预测。"},
      {"Resume", "恢复"},
      {"Run", "训练"},
      {"Save now", "立即保存"},
      {"Speed", "速度"},
      {"Start", "开始"},
      {"Stop", "停止"},
      {"The trained model is not in this checkout: expected ", "此检出中没有训练好的模型：应位于 "},
      {"Train a new run with these settings into the output folder",
       "按这些设置训练一次新的运行，写入输出文件夹"},
      {"Trained model", "训练好的模型"},
      {"Training loss", "训练损失"},
      {"accuracy", "准确率"},
      {"all", "全部"},
      {"branch", "分支"},
      {"chance 10%", "随机水平 10%"},
      {"channel", "通道"},
      {"channels", "通道"},
      {"epoch", "轮次"},
      {"epoch mean", "每轮平均"},
      {"epochs", "轮数"},
      {"images", "张图像"},
      {"last test acc", "最近测试准确率"},
      {"layer", "层"},
      {"learning rate", "学习率"},
      {"loss", "损失"},
      {"mistakes (red, x):", "错误（红色，x）："},
      {"model", "模型"},
      {"near chance level (10%): little learned yet", "接近随机水平（10%）：尚未学到多少"},
      {"of the first test images; top: true class, bottom: prediction",
       "张测试图像（前若干张）；上：真实类别，下：预测"},
      {"on", "于"},
      {"output folder", "输出文件夹"},
      {"per step", "每步"},
      {"place in branch", "在分支中的位置"},
      {"predicted", "预测"},
      {"replace a run already there", "替换已有的运行"},
      {"rows: true class, columns: predicted class", "行：真实类别，列：预测类别"},
      {"run folder or checkpoint", "运行文件夹或检查点"},
      {"running loss", "滑动训练损失"},
      {"running train acc", "滑动训练准确率"},
      {"schedule", "学习率策略"},
      {"seed", "随机种子"},
      {"showing", "显示"},
      {"smoothed", "平滑"},
      {"test", "测试"},
      {"test accuracy", "测试准确率"},
      {"test image", "测试图像"},
      {"test images", "测试图像数"},
      {"train (running)", "训练（滑动）"},
      {"train images", "训练图像数"},
      {"true", "真实"},
      {"using", "使用"},
  };
  return table;
}

}  // namespace

void set_ui_lang(UiLang lang) { g_lang = lang; }
UiLang ui_lang() { return g_lang; }

// The formula tooltips of viz/i18n_formulas.cpp, looked up like the labels.
static const std::unordered_map<std::string_view, const char*>& zh_formula_table() {
  static const std::unordered_map<std::string_view, const char*> table = [] {
    std::unordered_map<std::string_view, const char*> t;
    for (const TrEntry& e : tr_formula_entries()) t.emplace(e.en, e.zh);
    return t;
  }();
  return table;
}

const char* tr(const char* english) {
  if (g_lang == UiLang::en) return english;
  for (const auto* table : {&zh_table(), &zh_formula_table()})
    if (auto it = table->find(english); it != table->end()) return it->second;
  return english;
}

std::string tr_zh_text() {
  std::string all;
  for (const TrEntry& e : tr_entries()) all += e.zh;
  return all;
}

std::vector<TrEntry> tr_entries() {
  std::vector<TrEntry> out;
  out.reserve(zh_table().size() + tr_formula_entries().size());
  for (const auto& [en, zh] : zh_table()) out.push_back({en.data(), zh});
  for (const TrEntry& e : tr_formula_entries()) out.push_back(e);
  return out;
}

std::string trid(const char* english) {
  std::string s = tr(english);
  s += "###";
  s += english;
  return s;
}

}  // namespace sl::viz
