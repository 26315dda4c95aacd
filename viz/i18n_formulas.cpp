// viz/i18n_formulas.cpp - the Chinese of the long (?) tooltips of the Blocks, Guidelines and
// Train panels: the formula behind each number and what it measures. tr() looks them up with
// the short labels of viz/i18n.cpp (one table, two files: the labels there, these here).
// Formulas, op and file names and printf conversions stay as they are; only the words around
// them are Chinese, in the seed article's terms: 通道混洗 (channel shuffle), 分组卷积 (group
// convolution), 深度卷积 (depthwise convolution), 内存访问成本 MAC, 乘加 (multiply-adds).
// tests/viz/test_viz_state_i18n.cpp checks them like the labels.
#include "viz/i18n.h"

namespace sl::viz {

const std::vector<TrEntry>& tr_formula_entries() {
  static const std::vector<TrEntry> entries = {
      // [SECTION] the device switch (viz/ui.cpp) and each panel's (?) about it
      {"CUDA cannot run here:", "CUDA 在这里无法运行："},
      {"device", "设备"},
      {"CPU: core/cpu/'s kernels on the threads below. CUDA: core/cuda/'s kernels on GPU 0, "
       "each op timed with the device synchronised before and after it, so its time is its "
       "kernels' run, not their launch (as shufflelab profile --time --device cuda).",
       "CPU：core/cpu/ 的内核，使用下面设定的线程数。CUDA：core/cuda/ 的内核，运行在 GPU 0 "
       "上；每个算子前后都同步设备，因此计的是内核的运行时间，而不是启动时间（与 shufflelab "
       "profile --time --device cuda 相同）。"},
      {"Where the experiments run. CPU: compare with the paper's ARM column (one thread "
       "there). CUDA: compare with its GPU column; every timed pass ends with a device "
       "synchronisation, so it times the kernels, not their launch.",
       "实验在哪里运行。CPU：与论文的 ARM 一列比较（论文在 ARM 上用单线程）。CUDA：与论文的 GPU "
       "一列比较；每次计时的前向都以一次设备同步结束，因此计的是内核时间，而不是启动时间。"},
      {"Where training runs (shufflelab train --device): the forward and backward passes, the "
       "loss, the metrics and the SGD update. On CUDA only the batch goes to the GPU and two "
       "numbers come back per step (docs/cuda.md). The predictions, confusion matrix and "
       "feature maps below evaluate the saved weights on the CPU.",
       "训练在哪里运行（shufflelab train --device）：前向和反向传播、损失、指标和 SGD 更新。在 "
       "CUDA 上每步只把 batch 传到 GPU，只传回两个数（docs/cuda.md）。下面的预测、混淆矩阵和特征图"
       "在 CPU 上评估保存的权重。"},

      // [SECTION] Blocks
      {"time = median over the timed forward passes (after one warm-up pass) of each op's wall "
       "time, the device synchronized before and after the op; a block's or the network's time "
       "is the sum of its ops' medians",
       "time = 每个算子的墙钟时间在各次计时前向传播（先预热一次）中的中位数，算子前后都同步设备；"
       "一个模块或整个网络的时间是其各算子中位数之和"},
      {"MAdds = multiply-adds of conv and linear layers, the papers' \"FLOPs\": conv "
       "N·H_out·W_out·C_out·(C_in/G)·K·K, linear N·I·O; every other op counts 0",
       "MAdds = 卷积层和全连接层的乘加次数，即论文中的 \"FLOPs\"：卷积 "
       "N·H_out·W_out·C_out·(C_in/G)·K·K，全连接 N·I·O；其他算子都记为 0"},
      {"MAC = memory access cost in elements read + written: conv N·(H·W·C_in + "
       "H_out·W_out·C_out) + K·K·C_in·C_out/G; BN, ReLU, concat, shuffle 2·numel; add 3·numel; "
       "split 0 (views)",
       "MAC = 内存访问成本，即读 + 写的元素数：卷积 N·(H·W·C_in + H_out·W_out·C_out) + "
       "K·K·C_in·C_out/G；BN、ReLU、concat、通道混洗 2·numel；add 3·numel；split 0（视图）"},
      {"params = trainable parameters: conv K·K·C_in·C_out/G, BN 2·C, linear I·O + O",
       "params = 可训练参数：卷积 K·K·C_in·C_out/G，BN 2·C，全连接 I·O + O"},
      {"1x1 conv c->m, 3x3 conv m->m, 1x1 conv m->c: hw·cm + hw·9m² + hw·mc",
       "1x1 卷积 c->m，3x3 卷积 m->m，1x1 卷积 m->c：hw·cm + hw·9m² + hw·mc"},
      {"the 3x3 conv split into g groups: each output channel sees m/g inputs",
       "3x3 卷积分成 g 组（分组卷积）：每个输出通道只看到 m/g 个输入"},
      {"both 1x1 convs grouped (cm/g each), the 3x3 conv depthwise (9m)",
       "两个 1x1 卷积都是分组卷积（各 cm/g），3x3 卷积是深度卷积（9m）"},
      {"nn/cost measured                = %s", "nn/cost 实测                    = %s"},
      {"fastest .. slowest timed forward pass of each model: when these ranges overlap, the time "
       "difference is within the machine's noise",
       "每个模型最快 .. 最慢的一次计时前向传播：两个范围重叠时，时间差在机器的噪声之内"},
      {"MAdds = N·H_out·W_out·C_out·(C_in/G)·K·K\nMAC = N·(H·W·C_in + H_out·W_out·C_out) + "
       "K·K·C_in·C_out/G   (input + output + weights)\nparams = K·K·C_in·C_out/G",
       "MAdds = N·H_out·W_out·C_out·(C_in/G)·K·K\nMAC = N·(H·W·C_in + H_out·W_out·C_out) + "
       "K·K·C_in·C_out/G   （输入 + 输出 + 权重）\nparams = K·K·C_in·C_out/G"},
      {"MAdds = 0 (the papers count conv and linear only)\nMAC = 2·numel (read x, write "
       "y)\nparams = 2·C (scale and shift)",
       "MAdds = 0（论文只计卷积和全连接）\nMAC = 2·numel（读 x，写 y）\nparams = "
       "2·C（缩放和平移）"},
      {"MAdds = 0\nMAC = 3·numel (read a and b, write the sum)",
       "MAdds = 0\nMAC = 3·numel（读 a 和 b，写它们的和）"},
      {"MAdds = 0\nMAC = 0: the two halves are views of x, nothing is copied",
       "MAdds = 0\nMAC = 0：两半都是 x 的视图，不复制任何数据"},
      {"MAdds = 0 (the papers count conv and linear only)\nMAC = elements read + written",
       "MAdds = 0（论文只计卷积和全连接）\nMAC = 读 + 写的元素数"},

      // [SECTION] Guidelines: the table
      {"multiply-adds (the papers' FLOPs) per pass, conv2d_madds summed over the layers:\n",
       "每次前向的乘加次数（论文的 FLOPs），各层 conv2d_madds 之和：\n"},
      {"per 1x1 conv: MAC = N*h*w*(c_in + c_out) + c_in*c_out (maps in and out, weights)",
       "每个 1x1 卷积：MAC = N*h*w*(c_in + c_out) + c_in*c_out（输入、输出特征图和权重）"},
      {"per 1x1 group conv: MAC = N*h*w*(c + c) + c*c/g",
       "每个 1x1 分组卷积：MAC = N*h*w*(c + c) + c*c/g"},
      {"per 1x1 conv: N*h*w*(c_in + c_out) + c_in*c_out; concat: reads and writes N*h*w*c",
       "每个 1x1 卷积：N*h*w*(c_in + c_out) + c_in*c_out；concat：读写 N*h*w*c"},
      {"convs: N*(h*w*C_in + h*w*C_out) + K*K*C_in*C_out; relu: in + out; add: 2 in + out",
       "卷积：N*(h*w*C_in + h*w*C_out) + K*K*C_in*C_out；relu：输入 + 输出；add：2 个输入 + 输出"},
      {"memory access cost, elements read + written per pass (the sum of nn/cost's conv2d_cost, "
       "relu_cost, add_cost, concat_cost of every op):\n",
       "内存访问成本，每次前向读 + 写的元素数（所有算子的 nn/cost conv2d_cost、relu_cost、"
       "add_cost、concat_cost 之和）：\n"},
      {"\nof which element-wise and concat: ", "\n其中逐元素算子和 concat："},
      {"the paper's width column: x1, x2, x4 scale the channels; c = the block's channels",
       "论文的宽度列：x1、x2、x4 按倍数放大通道数；c = 该模块的通道数"},
      {"multiply-adds per pass of the 10-block stack (conv2d_madds, nn/cost); held (nearly) "
       "fixed across the rows of one width",
       "10 个模块堆叠后每次前向的乘加次数（conv2d_madds，nn/cost）；同一宽度的各行保持（几乎）"
       "不变"},
      {"memory access cost, elements read + written per pass (nn/cost)",
       "内存访问成本，每次前向读 + 写的元素数（nn/cost）"},
      {"layer op calls per pass (conv2d, relu, add, concat), counted by the pass's OpTally",
       "每次前向的层算子调用次数（conv2d、relu、add、concat），由该次前向的 OpTally 计数"},
      {"median wall time of one pass (forward, no gradients)",
       "一次前向（不求梯度）墙钟时间的中位数"},
      {"images per second = N * 1000 / median ms", "每秒图像数 = N * 1000 / 中位数 ms"},
      {"our speed / speed of the first row of the same width", "我们的速度 / 同一宽度第一行的速度"},
      {"the paper's speed / its first row's (the column this backend compares with)",
       "论文的速度 / 其第一行的速度（本后端对照的那一列）"},
      {"the paper's speed / its first row's (the other column)",
       "论文的速度 / 其第一行的速度（另一列）"},
      {"time in relu + add over the whole pass, each op timed on its own (median over passes)",
       "整个前向中 relu + add 的时间，每个算子单独计时（多次前向的中位数）"},
      {"op calls per pass = blocks x ops per block",
       "每次前向的算子调用 = 模块数 x 每个模块的算子数"},
      {"median of the timed passes, ms", "各次计时前向的中位数，ms"},
      {"our img/s / the first row's img/s (same width)",
       "我们的 img/s / 第一行的 img/s（同一宽度）"},
      {"paper: ", "论文："},
      {" / first row's ", " / 第一行的 "},
      {"sum of relu + add op times / sum of all op times, per pass, median",
       "relu + add 算子时间之和 / 所有算子时间之和，按每次前向计，取中位数"},

      // [SECTION] Guidelines: the charts and the views of each experiment
      {"\nthe paper's trend holds here", "\n论文的趋势在这里成立"},
      {"\nthe paper's trend differs here", "\n这里与论文的趋势不同"},
      {"a paper row", "论文中的一行"},
      {"a slider point", "滑块上的一个点"},
      {"the slider, any ratio from 1/16 to 16 (log scale)",
       "滑块，1/16 到 16 之间的任意比例（对数刻度）"},
      {"c1 = sqrt(B / (h*w*ratio)), c2 = ratio * c1, rounded",
       "c1 = sqrt(B / (h*w*ratio))，c2 = ratio * c1，取整"},
      {"2*sqrt(h*w*B) + B/(h*w) with this row's B", "2*sqrt(h*w*B) + B/(h*w)，B 取这一行的值"},
      {"c = sqrt(g*B/(h*w)), rounded to a multiple of g", "c = sqrt(g*B/(h*w))，取整为 g 的倍数"},
      {"h*w*c*c/g (conv2d_madds, one conv, N = 1)", "h*w*c*c/g（conv2d_madds，一个卷积，N = 1）"},
      {"median ms per pass of 10 group convs, c = ", "10 个分组卷积每次前向的中位数 ms，c = "},
      {"op calls per pass (OpTally)", "每次前向的算子调用次数（OpTally）"},
      {"median ms per pass", "每次前向的中位数 ms"},
      {"relu + add time / total op time, median", "relu + add 时间 / 全部算子时间，中位数"},
      {"element-wise MAC / total MAC = ", "逐元素算子的 MAC / 总 MAC = "},
      {"multiply-adds per pass (conv2d_madds); the same for all three",
       "每次前向的乘加次数（conv2d_madds）；三者相同"},
      {"elements read + written per pass (nn/cost records)",
       "每次前向读 + 写的元素数（nn/cost 的记录）"},
      {"channel_shuffle reads and writes every element: 2*N*C*H*W per unit; 0 when folded",
       "channel_shuffle（通道混洗）读写每个元素：每个单元 2*N*C*H*W；折叠进权重后为 0"},
      {"concat reads both halves and writes the joined tensor: 2*N*C*H*W per unit",
       "concat 读两半、写拼接后的张量：每个单元 2*N*C*H*W"},
      {"(plain ms - this ms) / plain ms", "(plain ms - 本行 ms) / plain ms"},
      {"largest |output - plain output|: 0 up to float rounding (sums run in another order)",
       "最大的 |output - plain output|：除浮点舍入外为 0（求和顺序不同）"},
      {"shuffle MAC + concat MAC per pass, millions of elements",
       "每次前向的 shuffle MAC + concat MAC，单位为百万个元素"},
      {"A GPU runs one kernel at a time across thousands of threads: a small 1x1 convolution "
       "cannot fill it, and every extra fragment adds a launch and a synchronisation, so 4 "
       "fragments run at a fraction of 1 fragment's speed (paper, GPU column).\n\n"
       "A CPU core runs one op at a time anyway: there is little parallelism to lose, and the "
       "cost of a fragment is its op call (allocation, dispatch, OpenMP fork/join) plus the "
       "extra memory traffic of smaller matrices. On the paper's ARM core 4 fragments in "
       "series cost only 4% (Table 3); ShuffleLab's per-op overhead and its OpenMP teams make "
       "the gap larger or smaller depending on the thread count.",
       "GPU 一次运行一个内核，铺开到成千上万个线程上：一个小的 1x1 卷积填不满它，每多一个碎片就多"
       "一次启动和一次同步，所以 4 个碎片的速度只有 1 个碎片的一小部分（论文 GPU 一列）。\n\n"
       "CPU 核心本来就一次只运行一个算子：能损失的并行度很少，一个碎片的代价是它的算子调用（内存"
       "分配、分派、OpenMP fork/join），再加上更小的矩阵带来的额外内存访问。在论文的 ARM 核心上，"
       "4 个串行碎片只慢了 4%（表 3）；ShuffleLab 每个算子的开销和 OpenMP 线程组会让差距随线程数"
       "变大或变小。"},

      // [SECTION] Train
      {"Stops after the current step and saves a checkpoint that Continue (or shufflelab train "
       "--resume) goes on from",
       "在当前这一步之后停止并保存检查点，之后可用“继续训练”（或 shufflelab train --resume）"
       "从那里接着训练"},
      {"Saves a checkpoint before the next step (last.state.safetensors, last.safetensors, "
       "metrics.jsonl) and goes on. While paused: resume, or Stop, which also saves.",
       "在下一步之前保存检查点（last.state.safetensors、last.safetensors、metrics.jsonl），"
       "然后继续训练。暂停时：恢复，或停止（停止也会保存）。"},
      {"steps per epoch = ceil(training images / batch); the last batch of an epoch may be "
       "smaller",
       "每轮步数 = ceil(训练图像数 / batch)；每轮最后一个 batch 可能更小"},
      {"sum of B*L over this epoch's steps so far / images seen (L: a batch's mean "
       "cross-entropy, B: its images)",
       "本轮到目前为止各步 B*L 之和 / 已见图像数（L：一个 batch 的平均交叉熵，B：它的图像数）"},
      {"correct predictions during this epoch's training steps / images seen (augmented images, "
       "weights changing: not the test accuracy)",
       "本轮训练步中预测正确的数量 / 已见图像数（图像经过增强、权重在变化：不是测试准确率）"},
      {"correct arg-max predictions / test images after the last finished epoch (nn/train "
       "evaluate). Chance level for 10 classes is 10%: below twice that, the model has learned "
       "little yet.",
       "最近一轮结束后 arg-max 预测正确的数量 / 测试图像数（nn/train evaluate）。10 个类别的随机"
       "水平是 10%：低于它的两倍，说明模型还没学到多少。"},
      {"v2-<width>: ShuffleNet V2 at that width; v1-g<groups>-<scale>: ShuffleNet V1. The CIFAR "
       "variant (32x32 input, stem at stride 1). docs/models.md",
       "v2-<width>：该宽度的 ShuffleNet V2；v1-g<groups>-<scale>：ShuffleNet V1。使用 CIFAR "
       "版本（输入 32x32，stem 的步长为 1）。见 docs/models.md"},
      {"the peak rate of one-cycle, or the starting rate of cosine",
       "one-cycle 的峰值学习率，或 cosine 的起始学习率"},
      {"OpenMP threads of the training thread (the CPU kernels, and loading and augmenting the "
       "batches on either device); 0: all cores.",
       "训练线程的 OpenMP 线程数（CPU 内核，以及两种设备上 batch 的加载和增强）；0：全部核心。"},
      {"train on the first N training images; -1: all 50,000 (--limit-train)",
       "只用前 N 张训练图像训练；-1：全部 50,000 张（--limit-train）"},
      {"test on the first N test images; -1: all 10,000 (--limit-test)",
       "只用前 N 张测试图像测试；-1：全部 10,000 张（--limit-test）"},
      {"Get it with scripts/get-cifar10 (162 MB, into data/), or enter the folder above. "
       "Without it the panel can still plot run folders.",
       "用 scripts/get-cifar10 下载（162 MB，放到 data/），或在上面填入文件夹。没有它，本面板"
       "仍可绘制运行文件夹的曲线。"},
      {"A folder written by shufflelab train --out (its metrics.jsonl is plotted, re-read every "
       "2 s while a CLI run writes it), a weights file (.safetensors) or a checkpoint "
       "(last.state.safetensors). Its weights are evaluated on the test set.",
       "shufflelab train --out 写出的文件夹（绘制其 metrics.jsonl，命令行运行写入期间每 2 秒重读"
       "一次）、权重文件（.safetensors）或检查点（last.state.safetensors）。其权重会在测试集上"
       "评估。"},
      {"v2-0.5 trained on CIFAR-10 by shufflelab train, shipped in assets/models/v2-0.5-cifar10 "
       "(its README has the command)",
       "由 shufflelab train 在 CIFAR-10 上训练的 v2-0.5，随项目放在 "
       "assets/models/v2-0.5-cifar10（其 README 中有训练命令）"},
      {"Resume this run from its checkpoint (shufflelab train --resume); the epochs field can "
       "extend it",
       "从检查点恢复这次运行（shufflelab train --resume）；可在“轮数”一栏中延长它"},
      {"Cross-entropy of each training batch: L = -(1/B) sum_i log softmax(z_i)[y_i]. Smoothed: "
       "s_n = 0.9 s_(n-1) + 0.1 L_n, shown as s_n / (1 - 0.9^n). Epoch mean: sum of B*L over "
       "the epoch / images seen (metrics.jsonl train_loss). A model that guesses has L = ln 10 "
       "= 2.30.",
       "每个训练 batch 的交叉熵：L = -(1/B) sum_i log softmax(z_i)[y_i]。平滑：s_n = 0.9 "
       "s_(n-1) + 0.1 L_n，显示为 s_n / (1 - 0.9^n)。每轮平均：本轮 B*L 之和 / 已见图像数"
       "（metrics.jsonl 的 train_loss）。随机猜测的模型 L = ln 10 = 2.30。"},
      {"test = correct arg-max predictions / test images, with the weights at the end of the "
       "epoch (nn/train evaluate). train (running) = correct / images seen during the epoch's "
       "steps, on augmented images while the weights change. Chance level for 10 classes: 1/10 "
       "= 10%.",
       "测试 = arg-max 预测正确的数量 / 测试图像数，使用该轮结束时的权重（nn/train evaluate）。"
       "训练（滑动）= 本轮各步中预测正确的数量 / 已见图像数，图像经过增强，权重也在变化。10 个"
       "类别的随机水平：1/10 = 10%。"},
      {"The rate of each step (nn/optim lr_at). One-cycle: from lr/25 up to lr during the first "
       "30% (of all steps), then down to lr/(25*10^4), both along half a cosine. Cosine: lr * "
       "(1 + cos(pi t / T)) / 2. A CLI run shows the rate of each epoch's last step.",
       "每一步的学习率（nn/optim lr_at）。One-cycle：在前 30%（按步数）内从 lr/25 升到 lr，"
       "然后降到 lr/(25*10^4)，两段都沿半个余弦。Cosine：lr * (1 + cos(pi t / T)) / 2。命令行"
       "运行显示每轮最后一步的学习率。"},
      {"img/s = training images of the epoch so far / seconds spent in their steps (evaluation "
       "excluded). ETA = steps left * mean seconds per step of this session (the test "
       "evaluations come on top).",
       "img/s = 本轮到目前为止的训练图像数 / 这些训练步所用的秒数（不含评估）。ETA = 剩余步数 * "
       "本次会话每步的平均秒数（测试评估的时间另算）。"},
      {"accuracy = sum of the confusion matrix's diagonal / images evaluated = the share of test "
       "images whose largest logit is their true class (nn/train evaluate, the same number as "
       "`shufflelab eval`).",
       "准确率 = 混淆矩阵对角线之和 / 评估的图像数 = 最大 logit 正是真实类别的测试图像所占比例"
       "（nn/train evaluate，与 `shufflelab eval` 的数字相同）。"},
      {"prediction = the class with the largest logit (arg-max of the model's 10 outputs, the "
       "first on ties); a mistake is prediction != true class.",
       "预测 = logit 最大的类别（模型 10 个输出的 arg-max，相等时取第一个）；预测 != "
       "真实类别即为错误。"},
      {"cell (t, p) = number of test images of class t that the model predicted as p; each row "
       "sums to the images of that class; the diagonal holds the correct ones. Colour: cell / "
       "row sum.",
       "单元格 (t, p) = 类别为 t、被模型预测为 p 的测试图像数；每行之和是该类别的图像数；对角线上"
       "是预测正确的。颜色：单元格 / 行之和。"},
      {"Each small image is one channel of this layer's output for the chosen test image, "
       "scaled from its own minimum (dark) to maximum (light). Around a channel shuffle the "
       "outline colour is the channel's branch (left: the split's untouched half or branch 1, "
       "right: branch 2), shaded by its place in the branch, as in the Shuffle panel: after the "
       "shuffle, channel j holds channel (j % 2) * C/2 + j / 2 of before.",
       "每个小图是所选测试图像在这一层输出中的一个通道，按它自己的最小值（暗）到最大值（亮）缩放。"
       "在通道混洗前后，边框颜色表示通道所属的分支（左：split 未经处理的一半或分支 1，右：分支 "
       "2），深浅表示它在分支中的位置，与通道混洗面板相同：混洗之后，通道 j 存放的是混洗前的通道 "
       "(j % 2) * C/2 + j / 2。"},
  };
  return entries;
}

}  // namespace sl::viz
