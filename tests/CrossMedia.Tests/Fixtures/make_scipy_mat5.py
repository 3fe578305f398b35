#!/usr/bin/python3
# Writes scipy_small.mat, a tiny compressed MATLAB level-5 file made by an independent writer
# (scipy.io.savemat, Debian python3-scipy), for MatFileTests.
# Run: /usr/bin/python3 make_scipy_mat5.py   (from this folder)
import numpy as np, scipy.io
scipy.io.savemat("scipy_small.mat", {
    "D": np.array([[1.5, -2.0, 3.25], [4.0, 5.0, -6.5]]),        # double 2×3
    "F": np.array([[0.5], [1.25]], dtype=np.float32),             # single 2×1
    "I8": np.array([[-128, 127]], dtype=np.int8),                 # int8 1×2
    "U16": np.array([[65535, 1, 2]], dtype=np.uint16),            # uint16 1×3
    "I64": np.array([[-(2**40)], [2**40]], dtype=np.int64),       # int64 2×1
    "Lg": np.array([[True, False, True]]),                        # logical 1×3
    "S": "abc",                                                   # char 1×3
    "N": np.arange(8, dtype=np.float64).reshape(2, 2, 2),         # double 2×2×2, N[i,j,k] = 4i+2j+k
    "C": np.array([[np.array([[1.0]]), "x"]], dtype=object),      # cell 1×2 (unsupported)
}, do_compression=True, oned_as="row")
