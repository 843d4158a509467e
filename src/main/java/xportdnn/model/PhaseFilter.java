package xportdnn.model;

import xportdnn.model.proto.Caffe.LayerParameter;
import xportdnn.model.proto.Caffe.NetParameter;
import xportdnn.model.proto.Caffe.NetState;
import xportdnn.model.proto.Caffe.NetStateRule;
import xportdnn.model.proto.Caffe.Phase;

/**
 * Keeps the layers a TEST-phase Caffe net would instantiate (Caffe's Net::FilterNet / StateMeetsRule). The state
 * is the net's own {@code state} block (level, stages; normally absent, so level 0 and no stage) with the phase
 * forced to TEST, as {@code caffe.Net(prototxt, caffe.TEST)} does.
 */
public final class PhaseFilter {

    private PhaseFilter() {
    }

    public static NetParameter testPhase(NetParameter net) {
        NetState state = net.getState().toBuilder().setPhase(Phase.TEST).build();
        NetParameter.Builder kept = net.toBuilder().clearLayer();
        for (LayerParameter layer : net.getLayerList()) {
            if (included(layer, state)) {
                kept.addLayer(layer);
            }
        }
        return kept.build();
    }

    static boolean included(LayerParameter layer, NetState state) {
        boolean included = layer.getIncludeCount() == 0;
        for (NetStateRule rule : layer.getExcludeList()) {
            if (meets(state, rule)) {
                included = false;
            }
        }
        for (NetStateRule rule : layer.getIncludeList()) {
            if (meets(state, rule)) {
                included = true;
            }
        }
        return included;
    }

    private static boolean meets(NetState state, NetStateRule rule) {
        if (rule.hasPhase() && rule.getPhase() != state.getPhase()) {
            return false;
        }
        if (rule.hasMinLevel() && state.getLevel() < rule.getMinLevel()) {
            return false;
        }
        if (rule.hasMaxLevel() && state.getLevel() > rule.getMaxLevel()) {
            return false;
        }
        for (String stage : rule.getStageList()) {
            if (!state.getStageList().contains(stage)) {
                return false;
            }
        }
        for (String stage : rule.getNotStageList()) {
            if (state.getStageList().contains(stage)) {
                return false;
            }
        }
        return true;
    }
}
