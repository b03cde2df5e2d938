#ifndef XD_CAPTURE_LOGLEVEL_H
#define XD_CAPTURE_LOGLEVEL_H
#ifdef __cplusplus
extern "C" {
#endif
void xd_opencv_log_errors_only(void);
#ifdef __cplusplus
}
#endif
#endif
