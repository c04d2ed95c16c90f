"""Every word the teaching views show, in English and in the seed's Chinese.

One table per language, one key per message, `str.format` fields for names and numbers.
The Chinese uses the seed's own terms: 梯度 (gradient), 链式法则 (chain rule), 反向传播
(backward pass), 神经元 (neuron), 层 (layer), 权重 (weight), 偏置 (bias), 激活 (activation).
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "zh")
"""The languages of the walkthrough pages, the drawings' words and `derivation`."""

_EN: dict[str, str] = {
    # ---- the page ---------------------------------------------------------------------------
    "html_lang": "en",
    "back": "← back",
    "next": "next →",
    "zoom_out": "zoom out",
    "zoom_in": "zoom in",
    "whole": "whole graph",
    "follow": "follow",
    "keys": "arrow keys step, Home/End jump, drag to pan",
    "counter": "step {k} of {n}",
    "your_turn": "Your turn.",
    "check": "check",
    "show_me": "show me",
    "tolerance": "Type the number and press Enter; within 0.5 % of the true value counts as "
                 "correct.",
    "type_a_number": "Type a number, e.g. -0.0123.",
    "not_yet": "Not yet. ",
    "correct": "✓ Correct: {name} = {value}.",
    "shown": "Shown without an answer: {name} = {value}.",
    "skipped_verdict": "Skipped: you moved on without answering {name}.",
    "skipped": "skipped",
    "score": "Questions: {right} answered correctly, {shown} shown, {skipped} skipped, "
             "{open} not reached.",
    "click_node": "Click a node for the chain-rule derivation of its gradient.",
    "no_derivation": "No derivation stored for this node (the page stores them for graphs "
                     "up to {limit} nodes); call autograd.viz.derivation(root, node).",
    "partial": "so far: {k} of {n} uses",
    "grad": "grad",
    "data": "data",
    "unknown": "?",
    "title": "Backward pass of {root}",
    "notation": "Notation: the drawings name a weight w_{{l,j,k}} (layer l, neuron j, input "
                "k); the seed drops the layer, so its w₀₀ in layer 2 is w₂₀₀ here.",
    "legend_0": "blue fill: gradient > 0 (darker: larger |gradient|)",
    "legend_1": "red fill: gradient < 0",
    "legend_2": "white: gradient 0, or not known yet (grad ?)",
    "legend_3": "orange border or edge: the node is used several times; its gradient is the "
                "sum of what each use sends",
    "legend_4": "purple: the step being processed and the edges it sends along",
    "legend_5": "grey dashed box: a constant",
    "legend_partial": "italic grad (so far: 1 of 2 uses): a sum still waiting for a use",
    # ---- the drawing ------------------------------------------------------------------------
    "neuron_box": "neuron {unit} of layer {layer}",
    "layer_inputs": "layer 0 (inputs)",
    "layer": "layer {layer}",
    "neuron": "neuron {unit}",
    "sends": "sends",
    "use_copy": "{name} (use {k} of {n})",
    # ---- the captions -----------------------------------------------------------------------
    "step": "Step {k} of {n}: ",
    "start": "Start: ∂{R}/∂{R} = 1. The backward pass now visits the nodes from the output "
             "back to the inputs; each node is processed once every node that uses it has "
             "sent its share.",
    "start_exercise": "\nExercise: at each step the page asks for a gradient before showing "
                      "it. Type the number in the box below (e.g. -0.0123 or −1.2e-3) and "
                      "press Enter or “check”; answers within 0.5 % of the true value are "
                      "correct. “show me” reveals it; “next →” skips the question.",
    "node_head": "{name} (op {op}) has ∂{R}/∂{d} = {g}{note}; it sends to each input:",
    "delta_note": ", the δ of neuron {unit} in layer {layer}",
    "o_minus_y": ": the seed's o − y",
    "more_inputs": "  … ({n} more inputs)",
    "used_times": "  {name} is used {n} times, so its gradient is the sum of what each use "
                  "sent: {symbolic} {numeric}",
    "left_out": "You left out the term {term} = {value}: {name} is used {n} times, and its "
                "gradient is the sum of what every use sends.",
    "before_factor": "That is {d} before the factor {factor} = {value}: multiply by it (chain "
                     "rule through the activation).",
    "sign": "Check the sign: you have the right size with the wrong sign. One factor of the "
            "chain rule is negative.",
    "formula_times": ", times {factor}",
    "formula_end": ". The numbers are on the drawing and in the earlier steps.",
    "not_finite": "{name} is not a finite number here ({value}): nothing to type; step on.",
    "layer_head": "Layer {layer}{output}, neuron {unit}",
    "output": " (output)",
    "no_activation": " (no activation: the output is {z} itself)",
    "grad_w": "  ∇w = δ·a (∂{z}/∂w = the input a it multiplies):  {terms}",
    "grad_b": "  ∇b = δ (∂{z}/∂b = 1):  {term}",
    "shared_weights": "  (+=: the weights are used {n} times, once per sample; their gradient "
                      "is the sum of every sample's share)",
    "sent_back": "  Sent back along the weights, ∂{R}/∂a += δ·w:  {terms}",
    "seed_o_minus_y": "   (the seed's o − y)",
    "feeds": "  {a} feeds {fed}, so its gradient is the sum over every path (fan-out):",
    "fed_neurons": "{n} neurons of layer {layer}",
    "fed_nodes": "{n} nodes",
    "seed_notation": "  In the seed's notation: {text}",
    "layer_matrix": "Layer {layer} as the seed writes it (one entry per neuron, {n} neurons):",
    "layer_matrix_samples": "Layer {layer} as the seed writes it, for one of {samples} samples "
                            "(∇W{s} and ∇b{s} of the whole loss add up every sample's):",
    "fan_out_sums": "       (W{t}ᵀ δ{t} = ∂{R}/∂a{s}: the fan-out sums of the neuron steps)",
    "grad_W_rows": "   (row j: δ of neuron j times every activation of layer {below})",
    "inputs_get": "  The inputs get W¹ᵀ δ¹ = {values} (fan-out sums too; training does not use "
                  "them).",
    # ---- derivation -------------------------------------------------------------------------
    "d_intro": "{target} by the chain rule: each gradient is the sum over its uses (consumer's "
               "gradient · local derivative), from {node} forward to {root}:",
    "d_paths": "Over every path ({n}), a product of local derivatives per path:",
    "d_too_many": "({n} paths lead to the root: too many to list one product per path; the "
                  "lines above are the same sum, factored)",
    "d_too_long": "(the path is {n} steps long: too long to write as one product; the lines "
                  "above are the same product, step by step)",
    "d_so": "So {target} = {value}",
    "d_md_intro": "**∂{root}/∂{node} by the chain rule**: each gradient is the sum over the "
                  "node's uses, each use the consumer's gradient times a local derivative from "
                  "the op table",
    "d_md_too_many": " ({n} paths lead from the node to the root: too many to list)",
    "d_md_paths": "; the last lines multiply along each of the {n} paths",
}

_ZH: dict[str, str] = {
    "html_lang": "zh",
    "back": "← 上一步",
    "next": "下一步 →",
    "zoom_out": "缩小",
    "zoom_in": "放大",
    "whole": "整个图",
    "follow": "跟随",
    "keys": "方向键逐步，Home/End 跳到首尾，拖动可平移",
    "counter": "第 {k} 步，共 {n} 步",
    "your_turn": "轮到你了。",
    "check": "检查",
    "show_me": "显示答案",
    "tolerance": "输入数值后按回车；与真实值相差不超过 0.5 % 即为正确。",
    "type_a_number": "请输入一个数，例如 -0.0123。",
    "not_yet": "还不对。",
    "correct": "✓ 正确：{name} = {value}。",
    "shown": "未作答，已显示答案：{name} = {value}。",
    "skipped_verdict": "已跳过：你没有回答 {name} 就继续了。",
    "skipped": "已跳过",
    "score": "题目：答对 {right} 题，显示答案 {shown} 题，跳过 {skipped} 题，未到达 {open} 题。",
    "click_node": "点击一个节点，查看它的梯度按链式法则的推导。",
    "no_derivation": "此节点没有存储推导（页面只为不超过 {limit} 个节点的图存储推导）；"
                     "请调用 autograd.viz.derivation(root, node)。",
    "partial": "目前：{n} 次使用中的 {k} 次",
    "grad": "梯度",
    "data": "值",
    "unknown": "?",
    "title": "{root} 的反向传播",
    "notation": "记号：图中权重写作 w_{{l,j,k}}（第 l 层、第 j 个神经元、第 k 个输入）；"
                "原文的权重不写层号，所以原文第 2 层的 w₀₀ 在这里是 w₂₀₀。",
    "legend_0": "蓝色：梯度 > 0（颜色越深，|梯度| 越大）",
    "legend_1": "红色：梯度 < 0",
    "legend_2": "白色：梯度为 0，或尚未求出（梯度 ?）",
    "legend_3": "橙色边框或连线：该节点被多次使用；它的梯度是每次使用传回之量的和",
    "legend_4": "紫色：当前处理的一步，以及它传回梯度的连线",
    "legend_5": "灰色虚线框：常数",
    "legend_partial": "斜体梯度（目前：2 次使用中的 1 次）：和还在等待其余的使用",
    "neuron_box": "第 {layer} 层 神经元 {unit}",
    "layer_inputs": "第 0 层（输入）",
    "layer": "第 {layer} 层",
    "neuron": "神经元 {unit}",
    "sends": "传回",
    "use_copy": "{name}（第 {k} 次使用，共 {n} 次）",
    "step": "第 {k} 步，共 {n} 步：",
    "start": "开始：∂{R}/∂{R} = 1。反向传播从输出往回依次访问各节点，直到输入；"
             "一个节点要等所有使用它的节点都传回了自己的那一份，才被处理。",
    "start_exercise": "\n练习：每一步页面先请你算出一个梯度，再显示答案。在下面的框里输入数值"
                      "（例如 -0.0123 或 −1.2e-3），按回车或“检查”；与真实值相差不超过 0.5 % "
                      "即为正确。“显示答案”直接给出；“下一步 →”跳过此题。",
    "node_head": "{name}（运算 {op}）的 ∂{R}/∂{d} = {g}{note}；它向每个输入传回：",
    "delta_note": "，即第 {layer} 层神经元 {unit} 的 δ",
    "o_minus_y": "：原文的 o − y",
    "more_inputs": "  …（另外 {n} 个输入）",
    "used_times": "  {name} 被使用了 {n} 次，所以它的梯度是每次使用传回之量的和："
                  "{symbolic} {numeric}",
    "left_out": "你漏掉了一项 {term} = {value}：{name} 被使用了 {n} 次，"
                "它的梯度是每次使用传回之量的和。",
    "before_factor": "这是乘以因子 {factor} = {value} 之前的 {d}：还要乘上它"
                     "（链式法则经过激活函数）。",
    "sign": "检查符号：大小对了，符号反了。链式法则中有一个因子是负的。",
    "formula_times": "，再乘以 {factor}",
    "formula_end": "。所需的数都在图上和前面的步骤里。",
    "not_finite": "{name} 在这里不是有限数（{value}）：无需输入，继续下一步。",
    "layer_head": "第 {layer} 层{output}，神经元 {unit}",
    "output": "（输出层）",
    "no_activation": "（没有激活函数：输出就是 {z} 本身）",
    "grad_w": "  ∇w = δ·a（∂{z}/∂w = 该权重所乘的输入 a）：  {terms}",
    "grad_b": "  ∇b = δ（∂{z}/∂b = 1）：  {term}",
    "shared_weights": "  （+=：每个样本各用一次权重，共 {n} 次；其梯度是所有样本那一份的和）",
    "sent_back": "  沿权重往回传，∂{R}/∂a += δ·w：  {terms}",
    "seed_o_minus_y": "   （原文的 o − y）",
    "feeds": "  {a} 连到 {fed}，所以它的梯度是所有路径之和（扇出）：",
    "fed_neurons": "第 {layer} 层的 {n} 个神经元",
    "fed_nodes": "{n} 个节点",
    "seed_notation": "  用原文的记号：{text}",
    "layer_matrix": "第 {layer} 层，按原文的写法（每个神经元一项，共 {n} 个神经元）：",
    "layer_matrix_samples": "第 {layer} 层，按原文的写法，{samples} 个样本中的一个"
                            "（整个损失的 ∇W{s} 和 ∇b{s} 是所有样本之和）：",
    "fan_out_sums": "       （W{t}ᵀ δ{t} = ∂{R}/∂a{s}：即各神经元步骤中的扇出求和）",
    "grad_W_rows": "   （第 j 行：神经元 j 的 δ 乘以第 {below} 层的每个激活）",
    "inputs_get": "  输入得到 W¹ᵀ δ¹ = {values}（同样是扇出求和；训练不用它们）。",
    "d_intro": "按链式法则求 {target}：每个梯度是它各次使用之和（使用者的梯度 · 局部导数），"
               "从 {node} 往前到 {root}：",
    "d_paths": "对每条路径（{n} 条），各自是局部导数的乘积：",
    "d_too_many": "（从该节点到根有 {n} 条路径：太多，不逐条写出乘积；上面各行是同一个和的"
                  "分解形式）",
    "d_too_long": "（路径长 {n} 步：太长，不写成一个乘积；上面各行就是逐步的同一个乘积）",
    "d_so": "所以 {target} = {value}",
    "d_md_intro": "**按链式法则求 ∂{root}/∂{node}**：每个梯度是该节点各次使用之和，"
                  "每次使用是使用者的梯度乘以运算表中的局部导数",
    "d_md_too_many": "（从该节点到根有 {n} 条路径：太多，不逐条列出）",
    "d_md_paths": "；最后几行沿 {n} 条路径逐条相乘",
}

_TABLES = {"en": _EN, "zh": _ZH}


def check_lang(fn: str, lang: Any) -> str:
    """`lang` if it is a known language code, else ValueError naming `fn` and the value."""
    if not isinstance(lang, str) or lang not in _TABLES:
        raise ValueError(f"{fn}: unknown language {lang!r}; choose one of "
                         f"{', '.join(LANGUAGES)}")
    return lang


class Words:
    """The messages of one language: `words("counter", k=1, n=9)`.

    Attributes:
        lang: the language code, one of `LANGUAGES`.
        table: its messages by key, as format templates.
    """

    def __init__(self, lang: str = "en"):
        self.lang = lang
        self.table = _TABLES[lang]

    def __call__(self, key: str, **fields: Any) -> str:
        return self.table[key].format(**fields)


assert set(_EN) == set(_ZH), "every message in both languages"
