#include <opencv2/core/utils/logger.hpp>
#include "loglevel.h"

void xd_opencv_log_errors_only(void) {
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
}
