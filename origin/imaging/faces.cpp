// OpenCV's cascade classifier (Viola-Jones with Haar or LBP features, the
// cascades of Debian's opencv-data) behind the C API of faces.h. Only
// objdetect, imgproc and core are linked; nothing here decodes images.

#include "faces.h"

#include <exception>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/objdetect.hpp>

namespace {

// One classifier per thread: detectMultiScale is not safe to share, and
// the transform pool's threads live as long as the process. It is loaded
// again only when another cascade path is asked for.
struct detector {
	std::string path;
	cv::CascadeClassifier cc;
};

thread_local detector tls;

bool ready(const char *path)
{
	if (tls.path == path && !tls.cc.empty())
		return true;
	tls.path.clear();
	if (!tls.cc.load(path) || tls.cc.empty())
		return false;
	tls.path = path;
	return true;
}

} // namespace

extern "C" int mc_faces_init(const char *cascade)
{
	try {
		cv::setNumThreads(1);
		cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
		cv::CascadeClassifier cc;
		return cc.load(cascade) && !cc.empty() ? 0 : -1;
	} catch (const std::exception &) {
		return -1;
	}
}

extern "C" int mc_faces_detect(const char *cascade, const unsigned char *grey, int width, int height,
	int min_size, int *rects, int *n)
{
	*n = 0;
	try {
		if (!ready(cascade))
			return -1;
		cv::Mat img(height, width, CV_8UC1, const_cast<unsigned char *>(grey));
		cv::Mat eq;
		cv::equalizeHist(img, eq);
		std::vector<cv::Rect> found;
		// Scale steps of 1.2 and 3 neighbours: a third of the time of
		// OpenCV's usual 1.1 and 4 on the corpus portrait, the same faces.
		tls.cc.detectMultiScale(eq, found, 1.2, 3, cv::CASCADE_SCALE_IMAGE, cv::Size(min_size, min_size));
		int k = 0;
		for (const cv::Rect &r : found) {
			if (k == MC_FACES_MAX)
				break;
			rects[4 * k] = r.x;
			rects[4 * k + 1] = r.y;
			rects[4 * k + 2] = r.width;
			rects[4 * k + 3] = r.height;
			k++;
		}
		*n = k;
		return 0;
	} catch (const std::exception &) {
		return -1;
	}
}
