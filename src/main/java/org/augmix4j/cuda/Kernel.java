package org.augmix4j.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A kernel as the Java side declares it: its C signature, e.g.
 * {@code Kernel.declare("relu_forward(const float* x, float* y, int n)")}. Op classes declare
 * their kernels as constants; {@link Launch} checks every launch's arguments against the
 * declaration (count, and buffer element type or scalar type per parameter), so a wrong argument
 * is an {@link IllegalArgumentException} naming the kernel and the parameter instead of garbage
 * on the GPU. FatbinTest checks that each declaration equals the kernel's signature in kernels/*.cu
 * and that the kernel is in the shipped fatbin.
 */
public final class Kernel {
    /** What a kernel parameter accepts from Java. */
    public enum Kind {
        FLOAT_BUFFER, INT_BUFFER, BYTE_BUFFER, INT, FLOAT, LONG, DOUBLE;

        static Kind of(String type, String signature) {
            return switch (type) {
                case "float*" -> FLOAT_BUFFER;
                case "int*", "unsigned*", "unsigned int*" -> INT_BUFFER;
                case "unsigned char*", "uint8_t*" -> BYTE_BUFFER;
                case "int", "unsigned", "unsigned int" -> INT;
                case "float" -> FLOAT;
                case "long long", "unsigned long long" -> LONG;
                case "double" -> DOUBLE;
                default -> throw new IllegalArgumentException("kernel " + signature + ": parameter type '" + type
                        + "' has no Java mapping (extend Kernel.Kind and Launch)");
            };
        }
    }

    /** One parameter: normalised C type (no const/__restrict__/spaces before '*'), name, kind. */
    public record Param(String type, String name, Kind kind) {}

    private static final List<Kernel> DECLARED = new CopyOnWriteArrayList<>();

    private final String name;
    private final List<Param> params;

    private Kernel(String name, List<Param> params) {
        this.name = name;
        this.params = List.copyOf(params);
    }

    /** Parses {@code "name(type name, ...)"} and registers the kernel in {@link #declared()}. */
    public static Kernel declare(String signature) {
        Kernel k = parse(signature);
        DECLARED.add(k);
        return k;
    }

    /** Parses a signature without registering it (also used on the .cu sources by the tests). */
    public static Kernel parse(String signature) {
        int open = signature.indexOf('('), close = signature.lastIndexOf(')');
        if (open <= 0 || close < open) throw new IllegalArgumentException("not a kernel signature: " + signature);
        String name = signature.substring(0, open).trim();
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new IllegalArgumentException("bad kernel name in: " + signature);
        List<Param> params = new ArrayList<>();
        String list = signature.substring(open + 1, close).trim();
        if (!list.isEmpty() && !list.equals("void")) {
            for (String p : list.split(",")) {
                String decl = p.replaceAll("\\b(const|__restrict__|__restrict)\\b", " ").replaceAll("\\s+", " ").trim();
                int cut = Math.max(decl.lastIndexOf(' '), decl.lastIndexOf('*'));
                String type = decl.substring(0, cut + 1).replaceAll("\\s*\\*", "*").trim();
                String pname = decl.substring(cut + 1).trim();
                if (cut < 0 || !pname.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("kernel " + signature + ": unnamed parameter '" + p.trim() + "'");
                }
                params.add(new Param(type, pname, Kind.of(type, signature)));
            }
        }
        return new Kernel(name, params);
    }

    /** Every kernel declared so far by the classes loaded in this JVM. */
    public static List<Kernel> declared() { return List.copyOf(DECLARED); }

    public String name() { return name; }

    public List<Param> params() { return params; }

    /** Throws if {@code args} do not match the declared parameters. */
    void checkArgs(Object[] args) {
        if (args.length != params.size()) {
            throw new IllegalArgumentException("kernel " + this + " takes " + params.size() + " arguments, got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            Param p = params.get(i);
            Object a = args[i];
            boolean ok = switch (p.kind()) {
                case FLOAT_BUFFER -> a instanceof DeviceBuffer b && b.type() == DeviceBuffer.Type.FLOAT;
                case INT_BUFFER -> a instanceof DeviceBuffer b && b.type() == DeviceBuffer.Type.INT;
                case BYTE_BUFFER -> a instanceof DeviceBuffer b && b.type() == DeviceBuffer.Type.BYTE;
                case INT -> a instanceof Integer;
                case FLOAT -> a instanceof Float;
                case LONG -> a instanceof Long;
                case DOUBLE -> a instanceof Double;
            };
            if (!ok) {
                throw new IllegalArgumentException("kernel " + this + ": argument " + i + " (" + p.name() + ") must be "
                        + describe(p.kind()) + ", got " + (a == null ? "null" : a + " (" + a.getClass().getSimpleName() + ")"));
            }
        }
    }

    private static String describe(Kind k) {
        return switch (k) {
            case FLOAT_BUFFER -> "a float DeviceBuffer";
            case INT_BUFFER -> "an int DeviceBuffer";
            case BYTE_BUFFER -> "a byte DeviceBuffer";
            case INT -> "an Integer";
            case FLOAT -> "a Float";
            case LONG -> "a Long";
            case DOUBLE -> "a Double";
        };
    }

    /** The normalised signature, e.g. {@code relu_forward(float* x, float* y, int n)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int i = 0; i < params.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(params.get(i).type()).append(' ').append(params.get(i).name());
        }
        return sb.append(')').toString();
    }
}
