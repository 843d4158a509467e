"""Resize fixtures for ImageResizeTest, made with scikit-image 0.19.3 (Debian python3-skimage; run with
/usr/bin/python3 in this folder). Each case is caffe.io.resize_image(im, (h, w)) with the skimage <= 0.14
defaults the original Python 2 XportDNN ran with, passed explicitly: order=1, mode='constant', cval=0,
anti_aliasing=False. caffe.io's min/max normalisation is reproduced as in python/caffe/io.py.
Written with numpy.save as float32; the test reads them with Npy.
"""
import numpy as np
from skimage.transform import resize


def caffe_resize_image(im, new_dims):
    im_min, im_max = im.min(), im.max()
    im_std = (im - im_min) / (im_max - im_min)
    resized = resize(im_std, new_dims, order=1, mode='constant', cval=0, anti_aliasing=False)
    return (resized * (im_max - im_min) + im_min).astype(np.float32)


rng = np.random.default_rng(7)
colour = rng.uniform(0.1, 0.9, size=(5, 7, 3)).astype(np.float32)
grey = rng.uniform(0.0, 1.0, size=(6, 4, 1)).astype(np.float32)
np.save('colour_5x7.npy', colour)
np.save('grey_6x4.npy', grey)
for h, w in [(9, 11), (3, 4), (5, 12), (2, 7)]:
    np.save('colour_5x7_to_%dx%d.npy' % (h, w), caffe_resize_image(colour, (h, w)))
for h, w in [(13, 9), (3, 2)]:
    np.save('grey_6x4_to_%dx%d.npy' % (h, w), caffe_resize_image(grey, (h, w)))
