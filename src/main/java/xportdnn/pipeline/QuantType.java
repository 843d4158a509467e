package xportdnn.pipeline;

/** The original tool's two modes, spelled as it spells them ({@code --quant_type}). */
public enum QuantType { Xilinx, DynamicFixed }
