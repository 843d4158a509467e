package xportdnn.cli;

public final class Main {
    public static void main(String[] args) {
        System.out.println(xportdnn.model.proto.Caffe.NetParameter.getDescriptor().getFullName());
    }
}
