// The cameras are Linux devices (V4L2, rpicam-vid, libturbojpeg.so.0); so are their tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
