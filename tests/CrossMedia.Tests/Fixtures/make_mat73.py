#!/usr/bin/python3
# Writes mat73_small.mat, a tiny MATLAB v7.3 file (HDF5 after a 512-byte MATLAB header), with
# Debian's python3-h5py: MATLAB stores an m×n array as an HDF5 dataset of shape (n, m).
#   A = [1 2; 3 4; 5 6]            (double 3×2)
#   B = int16([-1 7; 300 -32768])  (int16 2×2)
#   L = logical([1 0 1])           (logical 1×3, stored as uint8)
#   s = 'hi'                       (char 1×2, stored as uint16)
#   c = {1}                        (cell: reported as unsupported)
# Run: /usr/bin/python3 make_mat73.py   (from this folder)
import h5py, numpy as np
name = "mat73_small.mat"
with h5py.File(name, "w", userblock_size=512, libver="earliest") as f:
    def put(key, matlab_array, cls, dtype):
        d = f.create_dataset(key, data=np.asarray(matlab_array, dtype=dtype).T)
        d.attrs["MATLAB_class"] = np.bytes_(cls)
    put("A", [[1, 2], [3, 4], [5, 6]], "double", np.float64)
    put("B", [[-1, 7], [300, -32768]], "int16", np.int16)
    put("L", [[1, 0, 1]], "logical", np.uint8)
    put("s", [[ord("h"), ord("i")]], "char", np.uint16)
    refs = f.create_group("#refs#")
    inner = refs.create_dataset("a", data=np.array([[1.0]]))
    c = f.create_dataset("c", data=np.array([[inner.ref]], dtype=h5py.ref_dtype))
    c.attrs["MATLAB_class"] = np.bytes_("cell")
header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Nov 23 00:00:00 2026 HDF5 schema 1.00 ."
header = header.ljust(116, b" ") + b"\0" * 8 + b"\x00\x02" + b"IM"
with open(name, "r+b") as fh:
    fh.write(header.ljust(512, b"\0"))
