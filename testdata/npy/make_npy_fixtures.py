"""Writes the .npy/.npz fixtures of NpyTest with NumPy itself (run from this folder: python3 make_npy_fixtures.py).

The files are committed; the tests do not need Python. Values are repeated in NpyTest as literals.
"""
import numpy as np
from numpy.lib import format as npformat

np.save('f4_2x3.npy', (np.arange(6, dtype='<f4').reshape(2, 3) * 1.5 - 2))
np.save('f4_3.npy', np.array([1.25, -3.5, 1e-3], dtype='<f4'))
np.save('f4_scalar.npy', np.array(7.5, dtype='<f4'))
np.save('f4_1x2x3x4.npy', np.arange(24, dtype='<f4').reshape(1, 2, 3, 4) / 8)
np.save('f4_12345x0.npy', np.zeros((12345, 0), dtype='<f4'))
np.save('be_f8_2x2.npy', np.array([[1.5, -2.25], [3e10, -0.0]], dtype='>f8'))
np.save('u1_3.npy', np.array([0, 7, 255], dtype='|u1'))
np.save('i8_3.npy', np.array([-5, 0, 1 << 40], dtype='<i8'))
np.save('be_i4_2x2.npy', np.array([[1, -2], [3, -4]], dtype='>i4'))
np.save('b1_2.npy', np.array([True, False]))
np.save('fortran_f4_2x3.npy', np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))
for version in [(2, 0), (3, 0)]:
    with open('v%d_f4_3.npy' % version[0], 'wb') as f:
        npformat.write_array(f, np.array([1, 2, 3], dtype='<f4'), version=version)
pair = dict(a=np.array([[1, 2], [3, 4]], dtype='<f4'), b=np.array([9, 8, 7], dtype='|u1'))
np.savez('stored.npz', **pair)
np.savez_compressed('deflated.npz', **pair)
