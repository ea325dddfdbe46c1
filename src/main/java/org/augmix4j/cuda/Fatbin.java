package org.augmix4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what an nvcc fatbin holds without a GPU or the CUDA toolkit: its entries (one cubin per
 * SASS architecture, PTX for the virtual ones) and the kernels each defines (the cubin's global
 * functions marked as CUDA entries in its ELF symbol table; the PTX's {@code .entry} names).
 * Used by {@link DeviceReport} and by FatbinTest to check every kernel the Java code launches is
 * in every entry. Needs an uncompressed fatbin (kernels/build.sh passes --no-compress).
 */
public final class Fatbin {
    private static final int MAGIC = 0xBA55ED50, KIND_PTX = 1, KIND_ELF = 2;
    private static final long FLAG_COMPRESSED = 0x2000;
    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][A-Za-z0-9_$]*)\\s*\\(");

    /** One entry: a cubin for {@code sm_<arch>} or PTX for {@code compute_<arch>}, and its kernels. */
    public record Entry(boolean ptx, int arch, Set<String> kernels) {
        @Override
        public String toString() { return (ptx ? "compute_" : "sm_") + arch; }
    }

    private Fatbin() {}

    /** Parses a fatbin; throws IllegalArgumentException with the reason if it is not one we can read. */
    public static List<Entry> parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 16 || b.getInt(0) != MAGIC) throw new IllegalArgumentException("not a fatbin (no 0xBA55ED50 magic)");
        int header = Short.toUnsignedInt(b.getShort(6));
        long end = header + b.getLong(8);
        if (end > bytes.length) throw new IllegalArgumentException("truncated fatbin: " + bytes.length + " of " + end + " bytes");
        List<Entry> entries = new ArrayList<>();
        for (int off = header; off < end; ) {
            int kind = Short.toUnsignedInt(b.getShort(off));
            int entryHeader = b.getInt(off + 4);
            long payload = b.getLong(off + 8);
            int arch = b.getInt(off + 28);
            long flags = b.getLong(off + 40);
            int start = off + entryHeader;
            if (entryHeader < 64 || start + payload > end) throw new IllegalArgumentException("malformed fatbin entry at byte " + off);
            if ((flags & FLAG_COMPRESSED) != 0 || b.getInt(off + 16) != 0) {
                throw new IllegalArgumentException("compressed fatbin entry (sm/compute_" + arch + "): build with --no-compress");
            }
            if (kind == KIND_ELF) entries.add(new Entry(false, arch, elfKernels(b, start)));
            else if (kind == KIND_PTX) entries.add(new Entry(true, arch, ptxKernels(bytes, start, (int) payload)));
            off = (int) (start + payload);
        }
        return entries;
    }

    /** Kernels defined in every entry (what any GPU the fatbin supports can launch). */
    public static Set<String> commonKernels(List<Entry> entries) {
        Set<String> common = null;
        for (Entry e : entries) {
            if (common == null) common = new TreeSet<>(e.kernels());
            else common.retainAll(e.kernels());
        }
        return common == null ? Set.of() : common;
    }

    private static Set<String> ptxKernels(byte[] bytes, int start, int length) {
        Set<String> names = new TreeSet<>();
        Matcher m = PTX_ENTRY.matcher(new String(bytes, start, length, StandardCharsets.US_ASCII));
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /** Global FUNC symbols with STO_CUDA_ENTRY (0x10) in st_other: the kernels. */
    private static Set<String> elfKernels(ByteBuffer b, int elf) {
        if (b.getInt(elf) != 0x464C457F || b.get(elf + 4) != 2) throw new IllegalArgumentException("fatbin cubin is not ELF64");
        long shoff = b.getLong(elf + 0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(elf + 0x3A));
        int shnum = Short.toUnsignedInt(b.getShort(elf + 0x3C));
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (elf + shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != 2) continue;  // SHT_SYMTAB
            int symOff = (int) (elf + b.getLong(sh + 24));
            long symSize = b.getLong(sh + 32), entSize = b.getLong(sh + 56);
            int strtab = (int) (elf + shoff + (long) b.getInt(sh + 40) * shentsize);
            int strOff = (int) (elf + b.getLong(strtab + 24));
            for (long s = 0; s + entSize <= symSize; s += entSize) {
                int sym = (int) (symOff + s);
                int info = b.get(sym + 4), other = b.get(sym + 5);
                if ((info & 0xF) == 2 && (info >> 4 & 0xF) == 1 && (other & 0x10) != 0) names.add(cString(b, strOff + b.getInt(sym)));
            }
        }
        return names;
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (b.get(end) != 0) end++;
        byte[] s = new byte[end - at];
        b.get(at, s);
        return new String(s, StandardCharsets.US_ASCII);
    }
}
